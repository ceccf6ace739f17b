"""The kinds of change the deploy gate tells apart; each policy zone allows some of them.

At the bottom of the stack (and light to import): the config validates zones against them and
``check-deploy`` offers them as choices without loading the config machinery.
"""

from typing import Literal, get_args

ChangeKind = Literal["feature", "bugfix", "security", "refactor"]
CHANGE_KINDS: tuple[str, ...] = get_args(ChangeKind)
