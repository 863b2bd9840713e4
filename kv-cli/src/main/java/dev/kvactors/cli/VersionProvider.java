package dev.kvactors.cli;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;
import picocli.CommandLine.IVersionProvider;

/** The version Maven wrote into {@code kv-version.properties} at build time. */
final class VersionProvider implements IVersionProvider {
  static final String RESOURCE = "/kv-version.properties";

  @Override
  public String[] getVersion() throws IOException {
    Properties p = new Properties();
    try (InputStream in = VersionProvider.class.getResourceAsStream(RESOURCE)) {
      if (in == null) {
        throw new IOException(RESOURCE + " is missing from the program");
      }
      p.load(in);
    }
    return new String[] {"kv " + p.getProperty("version"), "Java ${java.version} (${java.vendor}), ${os.name} ${os.arch}"};
  }
}
