package io.github.ddm.connect;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;

/** The plugin archive the build made ({@code target/ddm-connector-*-plugin.zip}), for tests that install it into a {@code plugin.path}. */
public final class PluginArchive {

    private PluginArchive() {
    }

    /** The archive, named by the {@code ddm.plugin.archive} system property that failsafe sets. */
    public static Path archive() {
        String archive = System.getProperty("ddm.plugin.archive");
        assertThat(archive).as("system property ddm.plugin.archive (set by the connector's failsafe executions)").isNotBlank();
        assertThat(Path.of(archive)).as("the plugin archive; run the package phase first").exists();
        return Path.of(archive);
    }

    /** Unzips the archive into {@code pluginPath}, as an operator installs it; returns {@code pluginPath}. */
    public static Path installInto(Path pluginPath) throws IOException {
        unzip(archive(), pluginPath);
        return pluginPath;
    }

    /** Unzips {@code archive} into {@code target}, refusing entries that would land outside it. */
    public static void unzip(Path archive, Path target) throws IOException {
        try (ZipInputStream zip = new ZipInputStream(Files.newInputStream(archive))) {
            ZipEntry entry;
            while ((entry = zip.getNextEntry()) != null) {
                Path out = target.resolve(entry.getName()).normalize();
                assertThat(out.startsWith(target)).as("zip entry %s stays inside the plugin directory", entry.getName()).isTrue();
                if (entry.isDirectory()) {
                    Files.createDirectories(out);
                } else {
                    Files.createDirectories(out.getParent());
                    Files.copy(zip, out); // reads this entry only; the stream stays open
                    zip.closeEntry();
                }
            }
        }
    }
}
