from phaseout_bureau.app import run
from phaseout_energy.domain import SPEC

run(SPEC)
