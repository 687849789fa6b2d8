"""Pages of planning, split by subject (plans, projects, progress, activities)."""
