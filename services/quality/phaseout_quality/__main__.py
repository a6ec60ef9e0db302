from phaseout_bureau.app import run
from phaseout_quality.domain import SPEC

run(SPEC)
