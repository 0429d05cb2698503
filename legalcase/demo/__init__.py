"""Demo data (``manage.py seed_demo``): ``people`` draws it, ``seeding`` writes it, ``legalcase.demo_money`` adds the money side.

Every name of the two modules is importable from ``legalcase.demo``, as it was from the
one module this package replaced (the command, the tests and the benchmarks use them).
"""

from legalcase.demo.people import *  # noqa: F401,F403
from legalcase.demo.seeding import *  # noqa: F401,F403
