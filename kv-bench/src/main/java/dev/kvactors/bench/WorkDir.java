package dev.kvactors.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;

/** A temporary directory for one benchmark run, removed with everything in it on close (and on exit). */
final class WorkDir implements AutoCloseable {
  private final Path root;
  private final Thread cleanup;

  WorkDir(Path parent) throws IOException {
    Files.createDirectories(parent);
    this.root = Files.createTempDirectory(parent, "run-");
    this.cleanup = new Thread(this::deleteQuietly, "bench-cleanup");
    Runtime.getRuntime().addShutdownHook(cleanup);
  }

  Path root() {
    return root;
  }

  Path newDir(String name) throws IOException {
    return Files.createDirectories(root.resolve(name));
  }

  /** Deletes a directory tree (used between scenarios to free disk space). */
  static void delete(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    Files.walkFileTree(dir, new SimpleFileVisitor<>() {
      @Override
      public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
        Files.deleteIfExists(file);
        return FileVisitResult.CONTINUE;
      }

      @Override
      public FileVisitResult postVisitDirectory(Path d, IOException e) throws IOException {
        if (e != null && !(e instanceof NoSuchFileException)) {
          throw e;
        }
        Files.deleteIfExists(d);
        return FileVisitResult.CONTINUE;
      }
    });
  }

  private void deleteQuietly() {
    try {
      delete(root);
    } catch (IOException e) {
      System.err.println("bench: could not remove " + root + ": " + e);
    }
  }

  @Override
  public void close() {
    try {
      delete(root);
    } catch (IOException e) {
      throw new UncheckedIOException("removing " + root + " failed", e);
    }
    try {
      Runtime.getRuntime().removeShutdownHook(cleanup);
    } catch (IllegalStateException e) {
      // already shutting down: the hook runs anyway
    }
  }
}
