package org.fedcxr.config;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.UUID;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * A job's output location, written all-or-nothing. Everything goes to a hidden staging directory beside the output;
 * {@link #commit} writes {@code _SUMMARY.json}, replaces any previous output with the staging directory and then
 * writes {@code _SUCCESS}, so an output with {@code _SUCCESS} is always complete. {@link #abort} removes the staging
 * directory. Works on any Hadoop file system (file:, hdfs://, s3a://).
 */
public final class JobOutput {
  public static final String SUMMARY = "_SUMMARY.json";
  public static final String SUCCESS = "_SUCCESS";

  private final FileSystem fs;
  private final Path target;
  private final Path staging;

  private JobOutput(FileSystem fs, Path target, Path staging) {
    this.fs = fs;
    this.target = target;
    this.staging = staging;
  }

  /** Starts writing to {@code location}; fails with a message naming it when its store cannot be reached. */
  public static JobOutput begin(String location, Configuration conf) {
    Path target = Locations.path(location);
    try {
      FileSystem fs = target.getFileSystem(conf);
      target = fs.makeQualified(target);
      Path staging = new Path(target.getParent(), "." + target.getName() + ".inprogress-" + UUID.randomUUID());
      if (!fs.mkdirs(staging)) {
        throw new IOException("mkdirs returned false");
      }
      return new JobOutput(fs, target, staging);
    } catch (IOException | RuntimeException e) {
      throw new JobFailure("cannot create the output location " + location + ": " + e, e);
    }
  }

  /** The final location (what readers of this output should use). */
  public String location() {
    return target.toString();
  }

  /** Where to write the named part of the output while the job runs. */
  public String staged(String name) {
    return new Path(staging, name).toString();
  }

  /** Opens a file in the staging directory for a small driver-side artifact (CSV, chart). */
  public OutputStream create(String name) {
    try {
      return fs.create(new Path(staging, name), true);
    } catch (IOException e) {
      throw new JobFailure("cannot write " + new Path(staging, name) + ": " + e, e);
    }
  }

  /** Writes a small text artifact into the staging directory. */
  public void writeText(String name, String text) {
    try (OutputStream out = create(name)) {
      out.write(text.getBytes(StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new JobFailure("cannot write " + new Path(staging, name) + ": " + e, e);
    }
  }

  /** Writes the summary, moves the staged output into place (replacing an earlier one) and marks it complete. */
  public void commit(Map<String, Object> summary) {
    try {
      writeText(SUMMARY, json(summary));
      if (fs.exists(target) && !fs.delete(target, true)) {
        throw new IOException("cannot delete the previous output " + target);
      }
      if (!fs.rename(staging, target)) {
        throw new IOException("cannot rename " + staging + " to " + target);
      }
      fs.create(new Path(target, SUCCESS), true).close();
    } catch (IOException e) {
      throw new JobFailure("cannot complete the output " + target + ": " + e.getMessage(), e);
    }
  }

  /** Removes the staging directory; the previous output, if any, is left as it was. */
  public void abort() {
    try {
      fs.delete(staging, true);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot remove the staging directory " + staging, e);
    }
  }

  /**
   * Fails with a message naming the location unless it holds a complete output of {@code job} (with
   * {@code _SUCCESS}); returns the location, resolved.
   */
  public static String requireComplete(String location, String job, Configuration conf) {
    String resolved = Locations.resolve(location);
    if (!isComplete(resolved, conf)) {
      throw new JobFailure("input " + resolved + " is not a complete " + job + " output (no _SUCCESS): run " + job
          + " first");
    }
    return resolved;
  }

  /** Whether {@code location} holds a complete job output. */
  public static boolean isComplete(String location, Configuration conf) {
    Path p = Locations.path(location);
    try {
      return p.getFileSystem(conf).exists(new Path(p, SUCCESS));
    } catch (IOException e) {
      throw new JobFailure("cannot reach " + location + ": " + e, e);
    }
  }

  /** Serialises a summary map as indented JSON. */
  public static String json(Map<String, Object> summary) {
    try {
      return new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(summary) + "\n";
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
