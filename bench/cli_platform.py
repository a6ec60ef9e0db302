"""``phaseout run --no-demo`` exactly as installed, but on free ports (8000–8005 and 19092 may be taken).

The launcher reads its ports from module globals; this wrapper rebinds them and calls ``launcher.main()``.
Usage: ``python -m bench.cli_platform PORTS_JSON DATA_DIR``.
"""

from __future__ import annotations

import json
import sys

from phaseout_platform import launcher


def main() -> None:
    ports = json.loads(sys.argv[1])
    launcher.EMBEDDED_BROKER_PORT = ports.pop("broker")  # type: ignore[misc]
    launcher.SERVICE_PORTS = ports  # type: ignore[misc]
    sys.argv = ["phaseout", "run", "--no-demo", "--data-dir", sys.argv[2]]
    launcher.main()


if __name__ == "__main__":
    main()
