package org.fedcxr.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The entry point that {@code spark-submit --class org.fedcxr.cli.Main fedcxr.jar <job> ...} runs. The master and
 * Spark settings come from spark-submit; each job reads its YAML spec and {@code --set} overrides.
 */
@Command(name = "fedcxr", mixinStandardHelpOptions = true,
    description = "Federated, self-supervised chest X-ray training as Spark batch jobs.",
    subcommands = {IngestJob.class, PartitionJob.class, PretrainJob.class, FederateJob.class, EvaluateJob.class,
        PredictJob.class, ProbeJob.class, StudyJob.class, DemoJob.class, SynthesizeJob.class, BenchJob.class},
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {"0:success", "1:the job failed at run time (no output marked complete)",
        "2:bad spec or arguments (nothing written)"})
public final class Main {
  Main() {
  }

  public static void main(String[] args) {
    System.setProperty("java.awt.headless", "true");
    CommandLine cli = new CommandLine(new Main());
    cli.setParameterExceptionHandler((e, a) -> {
      System.err.println("fedcxr: " + e.getMessage());
      e.getCommandLine().usage(System.err);
      return 2;
    });
    int code = cli.execute(args);
    if (args.length == 0) {
      cli.usage(System.err);
      code = 2;
    }
    System.exit(code);
  }
}
