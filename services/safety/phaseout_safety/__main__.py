from phaseout_bureau.app import run
from phaseout_safety.domain import SPEC

run(SPEC)
