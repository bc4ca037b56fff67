import sys

from tooling.bench.runner import main

sys.exit(main())
