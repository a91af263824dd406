package org.fedcxr.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.File;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An {@link OutOfMemoryError} while one image decodes (memory the header-based budget did not foresee) makes that
 * image a {@code too_large} rejection and leaves the decoder usable. A real OutOfMemoryError, in a child JVM with a
 * 64 MiB heap and the budget switched off, so the test's own JVM is never at risk.
 */
class ImageDecoderOutOfMemoryTest {
  @TempDir
  Path dir;

  /** Decodes each file given, with no decoding budget, and prints each outcome on a line. */
  public static void main(String[] files) throws IOException {
    ImageDecoder decoder = new ImageDecoder(1, 65536, Long.MAX_VALUE);
    for (String f : files) {
      Decoded d = decoder.decode(Files.readAllBytes(Path.of(f)));
      System.out.println(d.isOk() ? "ok " + d.image().width() + "x" + d.image().height()
          : d.reason().code() + ": " + d.detail());
    }
  }

  private static String location(Class<?> c) throws URISyntaxException {
    return Path.of(c.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
  }

  @Test
  void anOutOfMemoryErrorWhileDecodingIsATooLargeRejectionNotACrash() throws Exception {
    // 6000x6000 16-bit gray: a 69 MiB raster (PNG-compressed to well under 1 MB), more than the child's heap
    Path big = dir.resolve("big.png");
    ImageIO.write(new BufferedImage(6000, 6000, BufferedImage.TYPE_USHORT_GRAY), "png", big.toFile());
    Path small = dir.resolve("small.png");
    ImageIO.write(new BufferedImage(64, 64, BufferedImage.TYPE_BYTE_GRAY), "png", small.toFile());
    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    // only fedcxr's classes: the decoder needs nothing but the JDK, and the test's whole class path (Spark, Hadoop)
    // would not even open in 64 MiB
    String classPath = location(ImageDecoder.class) + File.pathSeparator + location(getClass());
    Process p = new ProcessBuilder(java.toString(), "-Xmx64m", "-Djava.awt.headless=true", "-cp", classPath,
        ImageDecoderOutOfMemoryTest.class.getName(), big.toString(), small.toString())
        .redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(120, TimeUnit.SECONDS), out);
    assertEquals(0, p.exitValue(), out);
    String[] lines = out.strip().split("\n");
    assertTrue(lines[lines.length - 2].startsWith("too_large: 6000x6000: out of memory while decoding"), out);
    assertEquals("ok 64x64", lines[lines.length - 1], "the decoder still decodes the next file");
  }
}
