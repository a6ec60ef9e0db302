from phaseout_bureau.app import run
from phaseout_environment.domain import SPEC

run(SPEC)
