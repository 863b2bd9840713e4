package dev.kvactors.server;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.io.StringReader;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Optional;
import java.util.Properties;

/**
 * The file {@code DATA_DIR/kv.server} that says a server is serving the data directory, and where:
 * written atomically (temp file, rename) once the server listens, removed when it stops. The
 * {@code kv} program reads it to talk to the server instead of opening the (locked) directory.
 * After a {@code kill -9} the file stays behind: a reader must check that the server answers, and
 * that its {@code run_id} (in {@code INFO server}) is the one in the file.
 */
public record ServerAdvertisement(String host, int port, long pid, String runId) {
  public static final String FILE_NAME = "kv.server";

  public ServerAdvertisement {
    requireNonNull(host, "host is null");
    requireNonNull(runId, "runId is null");
  }

  public static Path file(Path dataDir) {
    return dataDir.resolve(FILE_NAME);
  }

  /** Writes (or replaces) {@code DATA_DIR/kv.server} atomically. */
  public void writeTo(Path dataDir) throws IOException {
    // Not "*.tmp": the store's recovery deletes its own leftover temp files by that suffix, and may run
    // while a server on the same directory advertises itself.
    Path tmp = dataDir.resolve(FILE_NAME + ".new");
    String text = "# kv serve is serving this data directory over RESP (removed when it stops)\n"
        + "host=" + host + "\nport=" + port + "\npid=" + pid + "\nrun-id=" + runId + "\n";
    try {
      try (FileChannel channel = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
          StandardOpenOption.TRUNCATE_EXISTING)) {
        ByteBuffer bytes = StandardCharsets.UTF_8.encode(text);
        while (bytes.hasRemaining()) {
          channel.write(bytes);
        }
        channel.force(true);
      }
      Files.move(tmp, file(dataDir), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (IOException e) {
      try {
        Files.deleteIfExists(tmp);
      } catch (IOException cleanup) {
        e.addSuppressed(cleanup);
      }
      throw e;
    }
  }

  /**
   * Why an I/O operation failed, for a message that already names the file: the operating system's
   * reason ({@code No space left on device}, {@code Permission denied}), else the exception.
   */
  public static String reason(IOException e) {
    if (e instanceof FileSystemException fs && fs.getReason() != null) {
      return fs.getReason();
    }
    if (e instanceof DirectoryNotEmptyException) {
      return "directory not empty";
    }
    if (e instanceof FileSystemException fs) {
      return fs.getClass().getSimpleName();
    }
    return e.getMessage() != null ? e.getMessage() : e.toString();
  }

  /** Removes {@code DATA_DIR/kv.server} if it still names this server. */
  public void removeFrom(Path dataDir) throws IOException {
    Optional<ServerAdvertisement> current = read(dataDir);
    if (current.isPresent() && current.get().runId().equals(runId)) {
      Files.deleteIfExists(file(dataDir));
    }
  }

  /** What {@code DATA_DIR/kv.server} says; empty if there is no such file or it is not one of ours. */
  public static Optional<ServerAdvertisement> read(Path dataDir) throws IOException {
    String text;
    try {
      text = Files.readString(file(dataDir), StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      return Optional.empty();
    }
    Properties p = new Properties();
    p.load(new StringReader(text));
    try {
      return Optional.of(new ServerAdvertisement(p.getProperty("host"), Integer.parseInt(p.getProperty("port")),
          Long.parseLong(p.getProperty("pid")), p.getProperty("run-id")));
    } catch (NumberFormatException | NullPointerException e) {
      return Optional.empty(); // a torn or foreign file: as if there were none
    }
  }
}
