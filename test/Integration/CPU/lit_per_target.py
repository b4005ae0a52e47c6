"""A lit test format that runs a test once per CPU target.

A test whose RUN lines name %{target} runs once per CPU target of the target
table (config.interact_cpu_targets, from lib/Target/targets/), as
<directory>/<target>/<file>, with %{target} the target's name; a target this
machine cannot execute (config.interact_runnable_targets; x86-64-v4 without
AVX-512) is reported UNSUPPORTED, not skipped. A test without %{target} runs
once. A module of its own, because lit pickles the format for its workers.
"""

import lit.formats
import lit.Test
import lit.TestRunner


class PerTargetTest(lit.Test.Test):
    """One target's run of a test file, which lives one directory up."""

    def __init__(self, suite, path_in_suite, config, source, target):
        super().__init__(suite, path_in_suite, config, file_path=source)
        self.target = target

    def getSourcePath(self):
        return self.file_path


class PerTargetShTest(lit.formats.ShTest):
    def getTestsForPath(self, suite, path_in_suite, litConfig, localConfig):
        for test in super().getTestsForPath(suite, path_in_suite, litConfig,
                                            localConfig):
            source = test.getSourcePath()
            with open(source, errors="replace") as f:
                per_target = "%{target}" in f.read()
            if not per_target:
                yield test
                continue
            for target in localConfig.interact_cpu_targets:
                yield PerTargetTest(suite,
                                    path_in_suite[:-1] + (target, path_in_suite[-1]),
                                    localConfig, source, target)

    def execute(self, test, litConfig):
        if not isinstance(test, PerTargetTest):
            return super().execute(test, litConfig)
        target = test.target
        if target not in test.config.interact_runnable_targets:
            return lit.Test.Result(lit.Test.UNSUPPORTED,
                                   f"this machine cannot execute {target} code")
        return lit.TestRunner.executeShTest(
            test, litConfig, self.execute_external,
            self.extra_substitutions + [("%{target}", target)],
            self.preamble_commands)
