package org.fedcxr.catalog;

import java.io.Serializable;
import java.util.List;
import java.util.Map;

/**
 * One dataset of the catalog, locations resolved to URIs.
 *
 * @param name the catalog name
 * @param format {@code nih} (a {@code Finding Labels} column separated by {@code |}) or {@code chexpert} (one column
 *     per observation, values 1/0/-1/blank)
 * @param images the directory the images are read from (recursively)
 * @param labelTable the CSV label table
 * @param glob the file-name filter for images
 * @param labels the output label names, in order (the NIH 14)
 * @param noFinding the label string that means "no disease" (nih format)
 * @param labelMap source column to output label (chexpert format)
 * @param uncertainPolicy what an uncertain (-1) label becomes: ones, zeros or ignore (unknown, stored as NaN)
 * @param testList an official list of the test images (one file name per line, NIH's {@code test_list.txt}), or null
 * @param source the descriptor file
 */
public record DatasetDescriptor(String name, String format, String images, String labelTable, String glob,
    List<String> labels, String noFinding, Map<String, String> labelMap, String uncertainPolicy, String testList,
    String source)
    implements Serializable {

  /** Whether images are matched to label rows by file name (nih) rather than by path relative to {@link #images}. */
  public boolean keyedByFileName() {
    return format.equals("nih");
  }
}
