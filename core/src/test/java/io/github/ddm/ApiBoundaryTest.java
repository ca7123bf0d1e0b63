package io.github.ddm;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** The public API never exposes implementation classes, Redisson, Netty or Jackson internals. */
class ApiBoundaryTest {

    private static List<Class<?>> publicApiClasses() throws IOException, URISyntaxException, ClassNotFoundException {
        Path root = Path.of(DocumentManager.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        Path api = root.resolve("io/github/ddm");
        List<Class<?>> classes = new ArrayList<>();
        try (Stream<Path> files = Files.list(api)) {
            for (Path file : (Iterable<Path>) files::iterator) {
                String name = file.getFileName().toString();
                if (name.endsWith(".class")) {
                    Class<?> type = Class.forName("io.github.ddm." + name.substring(0, name.length() - 6));
                    if (Modifier.isPublic(type.getModifiers())) {
                        classes.add(type);
                    }
                }
            }
        }
        return classes;
    }

    private static boolean forbidden(Type type) {
        if (type instanceof ParameterizedType parameterized) {
            if (forbidden(parameterized.getRawType())) {
                return true;
            }
            for (Type argument : parameterized.getActualTypeArguments()) {
                if (forbidden(argument)) {
                    return true;
                }
            }
            return false;
        }
        String name = type.getTypeName();
        return name.startsWith("io.github.ddm.internal") || name.startsWith("io.netty")
                || (name.startsWith("org.redisson") && !name.equals("org.redisson.api.RedissonClient"))
                || name.startsWith("com.fasterxml.jackson.core") || name.startsWith("com.github.benmanes");
    }

    @Test
    void publicSignatures_mentionNoInternals() throws Exception {
        List<String> leaks = new ArrayList<>();
        List<Class<?>> classes = publicApiClasses();
        assertThat(classes).contains(DocumentManager.class, Versioned.class);
        for (Class<?> type : classes) {
            for (Method method : type.getMethods()) {
                if (method.getDeclaringClass() != type) {
                    continue;
                }
                if (forbidden(method.getGenericReturnType())) {
                    leaks.add(type.getSimpleName() + "." + method.getName() + " returns " + method.getGenericReturnType());
                }
                for (Type parameter : method.getGenericParameterTypes()) {
                    if (forbidden(parameter)) {
                        leaks.add(type.getSimpleName() + "." + method.getName() + " takes " + parameter);
                    }
                }
            }
        }
        assertThat(leaks).isEmpty();
    }

    @Test
    void internalClasses_areNotPublicApi_exceptWhereCoreWiresThem() throws Exception {
        // Only the manager itself may construct internals; they stay out of signatures (above).
        assertThat(DocumentManager.class.getConstructors()).isEmpty();
        assertThat(DocumentManagerBuilder.class.getConstructors()).isEmpty();
    }
}
