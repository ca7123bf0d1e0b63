package io.github.ddm.internal.sync;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The section's parts are wired once, through their constructors (docs/core.md, "Inside core"):
 * a part that holds another part holds it in a final field, and no part has a method that hands
 * it one later. Only what the manager needs from outside the package is public.
 */
class SectionWiringTest {

    private static final List<Class<?>> PARTS = List.of(SectionEngine.class, ChangeChannel.class, KeyDelivery.class,
            SectionRepair.class, VersionCheck.class, StoredVersions.class, Subscriptions.class, Loader.class,
            NoticeFeed.class, SectionState.class);

    @Test
    void everyPartHeldByAnother_isInAFinalField() {
        List<String> notFinal = new ArrayList<>();
        for (Class<?> part : PARTS) {
            for (Field field : part.getDeclaredFields()) {
                if (isPart(field.getType()) && !Modifier.isFinal(field.getModifiers())) {
                    notFinal.add(part.getSimpleName() + "." + field.getName());
                }
            }
        }
        assertThat(notFinal).as("fields that hold a part of the section but are not final").isEmpty();
    }

    @Test
    void noPart_isHandedAnotherAfterConstruction() {
        List<String> setters = new ArrayList<>();
        for (Class<?> part : PARTS) {
            for (Method method : part.getDeclaredMethods()) {
                if (method.getReturnType() == void.class && method.getParameterCount() == 1
                        && isPart(method.getParameterTypes()[0]) && !method.isSynthetic()) {
                    setters.add(part.getSimpleName() + "." + method.getName());
                }
            }
        }
        assertThat(setters).as("methods that take a part of the section and return nothing (wiring setters)").isEmpty();
    }

    @Test
    void onlyWhatTheManagerNeeds_isPublic() throws IOException, URISyntaxException, ClassNotFoundException {
        Path root = Path.of(SectionEngine.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        List<String> publicClasses = new ArrayList<>();
        try (Stream<Path> files = Files.list(root.resolve("io/github/ddm/internal/sync"))) {
            for (Path file : (Iterable<Path>) files::iterator) {
                String name = file.getFileName().toString();
                if (name.endsWith(".class") && !name.contains("$")) {
                    Class<?> type = Class.forName("io.github.ddm.internal.sync." + name.substring(0, name.length() - 6));
                    if (Modifier.isPublic(type.getModifiers())) {
                        publicClasses.add(type.getSimpleName());
                    }
                }
            }
        }
        // SectionEngine and SectionSettings for the manager and its builder; DocumentWriter for its
        // Settings; Replicator and ReplicationRounds for SectionStore (apply, and applies in rounds).
        assertThat(publicClasses).containsExactlyInAnyOrder("SectionEngine", "SectionSettings", "DocumentWriter", "Replicator",
                "ReplicationRounds");
    }

    private static boolean isPart(Class<?> type) {
        return type.getPackageName().startsWith("io.github.ddm.internal") && !type.isRecord() && !type.isEnum();
    }
}
