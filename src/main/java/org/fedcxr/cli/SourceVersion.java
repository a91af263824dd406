package org.fedcxr.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.concurrent.TimeUnit;
import org.fedcxr.config.Locations;

/**
 * The source a run came from, for reports: the git commit of FEDCXR_HOME (with "+ uncommitted changes" when the work
 * tree differs), else the environment variable FEDCXR_COMMIT, else the jar's version.
 */
final class SourceVersion {
  private SourceVersion() {
  }

  static String describe() {
    String env = System.getenv("FEDCXR_COMMIT");
    if (env != null && !env.isBlank()) {
      return env;
    }
    if (Files.exists(Locations.home().resolve(".git"))) { // a directory, or a file in a git worktree
      String head = git("rev-parse", "HEAD");
      if (head != null && !head.isEmpty()) {
        String status = git("status", "--porcelain", "--untracked-files=no");
        return head + (status == null || status.isEmpty() ? "" : " + uncommitted changes");
      }
    }
    String version = SourceVersion.class.getPackage().getImplementationVersion();
    return "unknown (fedcxr " + (version == null ? "unpackaged" : version) + ", no git work tree)";
  }

  private static String git(String... args) {
    String[] cmd = new String[args.length + 3];
    cmd[0] = "git";
    cmd[1] = "-C";
    cmd[2] = Locations.home().toString();
    System.arraycopy(args, 0, cmd, 3, args.length);
    try {
      Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
      return p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0 ? out : null;
    } catch (IOException e) {
      return null;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    }
  }
}
