package org.fedcxr.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Writes throw-away catalog descriptors for test datasets. */
public final class TestCatalog {
  public static final String NIH_LABELS = "[Atelectasis, Cardiomegaly, Effusion, Infiltration, Mass, Nodule, "
      + "Pneumonia, Pneumothorax, Consolidation, Edema, Emphysema, Fibrosis, Pleural_Thickening, Hernia]";

  private TestCatalog() {
  }

  /** A catalog directory with one NIH-format descriptor named {@code name} for the dataset at {@code location}. */
  public static Path nih(Path catalogDir, String name, Path location) {
    return write(catalogDir, name, "format: nih\nlocation: " + location.toAbsolutePath()
        + "\nimages: images\nlabel_table: Data_Entry_2017.csv\nglob: \"*.{png,jpg,gif}\"\nlabels: " + NIH_LABELS
        + "\n");
  }

  public static Path write(Path catalogDir, String name, String yaml) {
    try {
      Files.createDirectories(catalogDir);
      Files.writeString(catalogDir.resolve(name + ".yaml"), yaml);
      return catalogDir;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
