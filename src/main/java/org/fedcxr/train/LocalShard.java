package org.fedcxr.train;

import java.io.Closeable;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.stream.IntStream;
import org.fedcxr.config.Seeds;

/**
 * A client's local data spooled from its row stream to a temporary file of fixed-size records (pixels as bytes,
 * labels as floats), so that any number of epochs can read it in a fresh order without holding the images in
 * memory. Only image ids stay in memory. The epoch order is a function of (seed, epoch, image id), so it does not
 * depend on the order in which Spark delivered the rows.
 */
public final class LocalShard implements Closeable {
  private final Path file;
  private final FileChannel channel;
  private final List<String> ids = new ArrayList<>();
  private final int height;
  private final int width;
  private final int labels;
  private final int recordBytes;
  private final ByteBuffer record;

  private LocalShard(Path file, FileChannel channel, int height, int width, int labels) {
    this.file = file;
    this.channel = channel;
    this.height = height;
    this.width = width;
    this.labels = labels;
    this.recordBytes = height * width + labels * 4;
    this.record = ByteBuffer.allocate(recordBytes);
  }

  /** Spools the stream; every image must have the first image's size and label count. */
  public static LocalShard spool(Iterator<LabelledImage> images, Path tmpDir) {
    if (!images.hasNext()) {
      throw new IllegalArgumentException("no images to train on");
    }
    LabelledImage first = images.next();
    try {
      Path file = Files.createTempFile(tmpDir, "fedcxr-shard-", ".bin");
      FileChannel ch = new RandomAccessFile(file.toFile(), "rw").getChannel();
      LocalShard shard = new LocalShard(file, ch, first.height(), first.width(), first.labels().length);
      shard.append(first);
      while (images.hasNext()) {
        shard.append(images.next());
      }
      return shard;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot spool training data under " + tmpDir, e);
    }
  }

  private void append(LabelledImage img) throws IOException {
    if (img.height() != height || img.width() != width || img.labels().length != labels) {
      throw new IllegalArgumentException("image " + img.imageId() + " is " + img.height() + "x" + img.width()
          + " with " + img.labels().length + " labels; the shard holds " + height + "x" + width + " with " + labels);
    }
    ByteBuffer b = ByteBuffer.allocate(recordBytes);
    b.put(img.pixels());
    for (float l : img.labels()) {
      b.putFloat(l);
    }
    b.flip();
    channel.write(b, (long) ids.size() * recordBytes);
    ids.add(img.imageId());
  }

  public int size() {
    return ids.size();
  }

  public int height() {
    return height;
  }

  public int width() {
    return width;
  }

  public int labelCount() {
    return labels;
  }

  /** Record indices in the order of epoch {@code epoch}: sorted by a number derived from (seed, epoch, id). */
  public int[] order(long seed, int epoch) {
    String e = Integer.toString(epoch);
    double[] keys = new double[ids.size()];
    for (int i = 0; i < keys.length; i++) {
      keys[i] = Seeds.uniform(seed, "epoch", e, ids.get(i));
    }
    return IntStream.range(0, keys.length).boxed()
        .sorted(Comparator.<Integer>comparingDouble(i -> keys[i]).thenComparing(ids::get))
        .mapToInt(Integer::intValue).toArray();
  }

  public String id(int index) {
    return ids.get(index);
  }

  /** Reads record {@code index}: pixels into {@code pixels}, labels into {@code labelsOut} (one thread at a time). */
  public void read(int index, byte[] pixels, float[] labelsOut) {
    ByteBuffer b = record.clear();
    try {
      while (b.hasRemaining()) {
        if (channel.read(b, (long) index * recordBytes + b.position()) < 0) {
          throw new IOException("record " + index + " is cut short");
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the spooled training data " + file, e);
    }
    b.flip();
    b.get(pixels);
    for (int i = 0; i < labels; i++) {
      labelsOut[i] = b.getFloat();
    }
  }

  /** Positives per label over the shard (for class weighting). */
  public long[] positives() {
    long[] pos = new long[labels];
    byte[] px = new byte[height * width];
    float[] l = new float[labels];
    for (int i = 0; i < ids.size(); i++) {
      read(i, px, l);
      for (int k = 0; k < labels; k++) {
        if (l[k] == 1f) {
          pos[k]++;
        }
      }
    }
    return pos;
  }

  @Override
  public void close() {
    try {
      channel.close();
      Files.deleteIfExists(file);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
