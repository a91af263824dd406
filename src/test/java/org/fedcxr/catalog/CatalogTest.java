package org.fedcxr.catalog;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.fedcxr.config.SpecException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CatalogTest {
  @TempDir
  Path dir;

  @Test
  void everyShippedDescriptorIsValidWithTheFourteenNihLabels() {
    Catalog catalog = Catalog.open(Path.of("data-catalog").toAbsolutePath(), Map.of());
    assertTrue(catalog.names().containsAll(
        List.of("nih-cxr14", "nih-cxr14-bundled", "nih-cxr14-shared", "chexpert", "synthetic")));
    for (String name : catalog.names()) {
      DatasetDescriptor d = catalog.get(name);
      assertEquals(14, d.labels().size(), name);
      assertEquals("Pleural_Thickening", d.labels().get(12), name);
    }
    DatasetDescriptor bundled = catalog.get("nih-cxr14-bundled");
    assertTrue(bundled.images().startsWith("file:"), bundled.images());
    assertTrue(Files.isDirectory(Path.of(URI.create(bundled.images()))), bundled.images());
    assertEquals("Effusion", catalog.get("chexpert").labelMap().get("Pleural Effusion"));
  }

  @Test
  void locationsExpandFromTheEnvironment() {
    Catalog catalog = Catalog.open(Path.of("data-catalog").toAbsolutePath(),
        Map.of("FEDCXR_NIH_CXR14", "hdfs://nn:8020/data/nih"));
    DatasetDescriptor d = catalog.get("nih-cxr14");
    assertEquals("hdfs://nn:8020/data/nih/images", d.images());
    assertEquals("hdfs://nn:8020/data/nih/Data_Entry_2017.csv", d.labelTable());
    assertEquals("s3a://datasets/nih-cxr14/images",
        Catalog.open(Path.of("data-catalog").toAbsolutePath(), Map.of()).get("nih-cxr14").images());
    assertEquals("s3a://bucket/x/images", catalog.get("nih-cxr14", "s3a://bucket/x").images());
  }

  @Test
  void badDescriptorsNameTheFileAndKey() throws IOException {
    Files.writeString(dir.resolve("bad-format.yaml"), "format: dicom\nlocation: x\nlabel_table: a.csv\nlabels: [A]\n");
    Files.writeString(dir.resolve("no-table.yaml"), "format: nih\nlocation: x\nlabels: [A]\n");
    Files.writeString(dir.resolve("bad-map.yaml"),
        "format: chexpert\nlocation: x\nlabel_table: a.csv\nlabels: [A]\nlabel_map: {B: C}\n");
    Files.writeString(dir.resolve("needs-env.yaml"),
        "format: nih\nlocation: ${NOT_SET_ANYWHERE}\nlabel_table: a.csv\nlabels: [A]\n");
    Catalog catalog = Catalog.open(dir, Map.of());
    assertTrue(assertThrows(SpecException.class, () -> catalog.get("bad-format")).getMessage()
        .contains("bad-format.yaml: key 'format' has value 'dicom'"));
    assertTrue(assertThrows(SpecException.class, () -> catalog.get("no-table")).getMessage()
        .contains("'label_table'"));
    assertTrue(assertThrows(SpecException.class, () -> catalog.get("bad-map")).getMessage().contains("'C'"));
    assertTrue(assertThrows(SpecException.class, () -> catalog.get("needs-env")).getMessage()
        .contains("NOT_SET_ANYWHERE"));
    assertTrue(assertThrows(SpecException.class, () -> catalog.get("nope")).getMessage().contains("bad-format"));
  }
}
