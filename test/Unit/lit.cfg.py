# -*- Python -*-
# Runs the GoogleTest unit tests under unittests/ as lit tests.

import os

import lit.formats

config.name = "INTERACT-Unit"
config.suffixes = []
config.test_exec_root = os.path.join(config.interact_obj_root, "unittests")
config.test_source_root = config.test_exec_root
config.test_format = lit.formats.GoogleTest(config.llvm_build_mode, "Tests")
