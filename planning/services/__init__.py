"""Business rules of planning, split by subject.

- ``plans``: plans, items, handing items out, projects, milestones, derived status;
- ``reports``: progress reports, their review, evidence and reminders;
- ``activities``: campaigns and events (activities, training, publicity);
- ``excel``: import and export of plans and project lists.
"""
