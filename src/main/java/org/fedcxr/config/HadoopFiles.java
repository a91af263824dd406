package org.fedcxr.config;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;

/** Whole small files (weights, lists, reports) on any Hadoop file system: file:, hdfs://, s3a://. */
public final class HadoopFiles {
  private HadoopFiles() {
  }

  /** The bytes of the file at {@code path}; the caller says in its error what the file was for. */
  public static byte[] readAll(Path path, Configuration conf) throws IOException {
    try (InputStream in = path.getFileSystem(conf).open(path)) {
      return in.readAllBytes();
    }
  }

  /** Writes {@code bytes} as the whole file at {@code path}, replacing it; the caller says what the file was for. */
  public static void writeAll(Path path, byte[] bytes, Configuration conf) throws IOException {
    try (OutputStream out = path.getFileSystem(conf).create(path, true)) {
      out.write(bytes);
    }
  }
}
