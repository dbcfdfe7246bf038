# The build system itself: fragment order, clean-tree builds, flags and switches.
TESTS += tests/unit/test-make-order.sh
