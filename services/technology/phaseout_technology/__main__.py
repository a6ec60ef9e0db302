from phaseout_bureau.app import run
from phaseout_technology.domain import SPEC

run(SPEC)
