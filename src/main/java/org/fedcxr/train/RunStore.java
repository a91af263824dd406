package org.fedcxr.train;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.fedcxr.config.HadoopFiles;
import org.fedcxr.config.JobFailure;
import org.fedcxr.model.SafeTensors;

/**
 * The run store of a federated or pretraining run (a round is an epoch of pretraining), on any Hadoop file system:
 * <pre>
 * rounds/00007/global.safetensors   weights after round 7
 * rounds/00007/state.safetensors    strategy state (server moments), if any
 * rounds/00007/state.json           round, client outcomes, FedBN bookkeeping, metrics so far
 * rounds/00007/fedbn/client-00003.safetensors   a client's own BatchNorm state (FedBN)
 * rounds/00007/_COMPLETE            written last: a round without it does not exist
 * </pre>
 * A round is written into a hidden directory that is renamed into place before {@code _COMPLETE} is written.
 */
public final class RunStore {
  static final String COMPLETE = "_COMPLETE";
  private final FileSystem fs;
  private final Path root;

  public RunStore(String output, Configuration conf) {
    try {
      Path p = new Path(output);
      this.fs = p.getFileSystem(conf);
      this.root = fs.makeQualified(p);
    } catch (IOException e) {
      throw new JobFailure("cannot reach the run store " + output + ": " + e, e);
    }
  }

  public String location() {
    return root.toString();
  }

  /** A round being written; {@link #commit} makes it exist. */
  public final class RoundWriter {
    private final int round;
    private final Path dir;

    private RoundWriter(int round) throws IOException {
      this.round = round;
      this.dir = new Path(root, "rounds/.inprogress-" + round + "-" + UUID.randomUUID());
      fs.mkdirs(dir);
    }

    public void write(String name, byte[] bytes) {
      try (OutputStream out = fs.create(new Path(dir, name), true)) {
        out.write(bytes);
      } catch (IOException e) {
        throw new JobFailure("cannot write " + new Path(dir, name) + " in the run store: " + e, e);
      }
    }

    public void commit() {
      Path target = roundDir(round);
      try {
        if (fs.exists(target)) {
          fs.delete(target, true);
        }
        if (!fs.rename(dir, target)) {
          throw new IOException("rename to " + target + " failed");
        }
        fs.create(new Path(target, COMPLETE), true).close();
      } catch (IOException e) {
        throw new JobFailure("cannot complete round " + round + " in " + root + ": " + e, e);
      }
    }
  }

  public RoundWriter beginRound(int round) {
    try {
      return new RoundWriter(round);
    } catch (IOException e) {
      throw new JobFailure("cannot write round " + round + " to " + root + ": " + e, e);
    }
  }

  Path roundDir(int round) {
    return new Path(root, String.format("rounds/%05d", round));
  }

  /** The location of a file of a round (for executors, which read it themselves). */
  public String file(int round, String name) {
    return new Path(roundDir(round), name).toString();
  }

  /** Deletes every complete round but the {@code kept} highest (for runs that keep only their last rounds). */
  public void keepLastRounds(int kept) {
    List<Integer> rounds = completeRounds();
    for (int round : rounds.subList(0, Math.max(0, rounds.size() - kept))) {
      try {
        fs.delete(roundDir(round), true);
      } catch (IOException e) {
        throw new JobFailure("cannot delete " + roundDir(round) + ": " + e, e);
      }
    }
  }

  /** Deletes the files {@code names} of a round where present; the round stays, with its other files. */
  public void deleteFiles(int round, List<String> names) {
    for (String name : names) {
      Path file = new Path(roundDir(round), name);
      try {
        fs.delete(file, false);
      } catch (IOException e) {
        throw new JobFailure("cannot delete " + file + ": " + e, e);
      }
    }
  }

  /** The highest round with {@code _COMPLETE}, or 0 when there is none. */
  public int lastCompleteRound() {
    List<Integer> rounds = completeRounds();
    return rounds.isEmpty() ? 0 : rounds.get(rounds.size() - 1);
  }

  /** The rounds with {@code _COMPLETE}, in ascending order. */
  private List<Integer> completeRounds() {
    Path rounds = new Path(root, "rounds");
    List<Integer> complete = new ArrayList<>();
    try {
      if (!fs.exists(rounds)) {
        return complete;
      }
      for (FileStatus s : fs.listStatus(rounds)) {
        String name = s.getPath().getName();
        if (name.matches("\\d{5}") && fs.exists(new Path(s.getPath(), COMPLETE))) {
          complete.add(Integer.parseInt(name));
        }
      }
      Collections.sort(complete);
      return complete;
    } catch (IOException e) {
      throw new JobFailure("cannot list the run store " + rounds + ": " + e, e);
    }
  }

  public byte[] read(int round, String name) {
    return readPath(new Path(roundDir(round), name));
  }

  public boolean exists(int round, String name) {
    try {
      return fs.exists(new Path(roundDir(round), name));
    } catch (IOException e) {
      throw new JobFailure("cannot reach " + roundDir(round) + ": " + e, e);
    }
  }

  private byte[] readPath(Path p) {
    try {
      return HadoopFiles.readAll(p, fs.getConf());
    } catch (IOException e) {
      throw new JobFailure("cannot read " + p + " from the run store: " + e, e);
    }
  }

  /**
   * Prepares a resumed run: the run is no longer complete ({@code _SUCCESS} and the summary go until it ends
   * again), and half-written rounds of the stopped run are removed.
   */
  public void reopen() {
    try {
      fs.delete(new Path(root, "_SUCCESS"), false);
      fs.delete(new Path(root, "_SUMMARY.json"), false);
      Path rounds = new Path(root, "rounds");
      if (fs.exists(rounds)) {
        for (FileStatus s : fs.listStatus(rounds)) {
          String name = s.getPath().getName();
          if (name.startsWith(".inprogress-") || (name.matches("\\d{5}")
              && !fs.exists(new Path(s.getPath(), COMPLETE)))) {
            fs.delete(s.getPath(), true);
          }
        }
      }
    } catch (IOException e) {
      throw new JobFailure("cannot reopen the run store " + root + ": " + e, e);
    }
  }

  /** Removes a previous run (a new run over the same output replaces it). */
  public void clear() {
    try {
      if (fs.exists(root)) {
        fs.delete(root, true);
      }
      fs.mkdirs(root);
    } catch (IOException e) {
      throw new JobFailure("cannot clear the run store " + root + ": " + e, e);
    }
  }

  /** Writes a file at the top of the run store (final weights, metrics, charts). */
  public void writeTop(String name, byte[] bytes) {
    Path p = new Path(root, name);
    try (OutputStream out = fs.create(p, true)) {
      out.write(bytes);
    } catch (IOException e) {
      throw new JobFailure("cannot write " + p + ": " + e, e);
    }
  }

  public void writeTop(String name, String text) {
    writeTop(name, text.getBytes(StandardCharsets.UTF_8));
  }

  /** Float vectors as a safetensors file (1-D F32 tensors). */
  public static byte[] vectors(Map<String, float[]> vectors) {
    Map<String, SafeTensors.Tensor> t = new LinkedHashMap<>();
    vectors.forEach((k, v) -> t.put(k, SafeTensors.Tensor.f32(new long[] {v.length}, v)));
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try {
      SafeTensors.write(out, t, Map.of());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  public static Map<String, float[]> vectors(byte[] bytes) {
    try {
      Map<String, float[]> out = new LinkedHashMap<>();
      SafeTensors.read(new ByteArrayInputStream(bytes)).tensors().forEach((k, v) -> out.put(k, v.floats()));
      return out;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
