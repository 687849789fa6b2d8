from django.contrib.auth.decorators import login_required
from django.shortcuts import render

# Twenty rows of the kind a list page shows.
ROWS = [
    {"number": n, "name": f"Item {n}", "owner": f"Owner {n % 7}", "done": n % 3 == 0}
    for n in range(1, 21)
]


@login_required
def page(request):
    return render(request, "floor.html", {"rows": ROWS})
