package io.github.ddm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigReferencesTest {

    @Test
    void resolve_envAndFile_onceAndWholeValuesOnly(@TempDir Path dir) throws Exception {
        Path secret = dir.resolve("redis-password");
        Files.writeString(secret, "fr0m-file ${env:HOME}\n");
        Map<String, String> values = new LinkedHashMap<>();
        values.put("ddm.redis.password", "${file:" + secret + "}");
        values.put("ddm.redis.user", "${env:DDM_USER}");
        values.put("ddm.origin.node", "node-${env:DDM_USER}");
        Map<String, String> resolved = ConfigReferences.resolve(values, Map.of("DDM_USER", "pricer", "HOME", "/root")::get);
        assertThat(resolved).containsEntry("ddm.redis.password", "fr0m-file ${env:HOME}")
                .containsEntry("ddm.redis.user", "pricer")
                .containsEntry("ddm.origin.node", "node-${env:DDM_USER}");
    }

    @Test
    void resolve_missingReference_namesTheKey() {
        assertThatThrownBy(() -> ConfigReferences.resolve(Map.of("ddm.redis.password", "${env:NOPE}"), name -> null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("ddm.redis.password refers to the environment variable 'NOPE', which is not set");
        assertThatThrownBy(() -> ConfigReferences.resolve(Map.of("k", "${file:/no/such/secret}"), name -> null))
                .hasMessageStartingWith("k refers to the file /no/such/secret, which cannot be read");
    }
}
