package io.github.ddm.internal.patch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import org.junit.jupiter.api.Test;

class PatchEngineTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private static JsonNode json(String text) throws Exception {
        return JSON.readTree(text);
    }

    @Test
    void diff_ofEqualValuesInNewPlaces_hasNoMoveOrCopy() throws Exception {
        JsonNode from = json("{\"a\":[1,2,3],\"b\":{\"x\":1}}");
        JsonNode to = json("{\"a\":[1,2,3],\"b\":{\"x\":1},\"c\":[1,2,3],\"d\":{\"x\":1}}");

        JsonNode patch = PatchEngine.diff(from, to);

        assertThat(patch.findValuesAsText("op")).containsOnly("add");
        assertThat(PatchEngine.apply(patch, from)).isEqualTo(to);
    }

    @Test
    void diff_ofOneLevelChange_isOneReplace() throws Exception {
        JsonNode from = json("{\"bids\":[{\"p\":100,\"q\":1},{\"p\":99,\"q\":2}],\"asks\":[]}");
        JsonNode to = json("{\"bids\":[{\"p\":100,\"q\":5},{\"p\":99,\"q\":2}],\"asks\":[]}");

        JsonNode patch = PatchEngine.diff(from, to);

        assertThat(patch.toString()).isEqualTo("[{\"op\":\"replace\",\"path\":\"/bids/0/q\",\"value\":5}]");
        assertThat(PatchEngine.touchedMembers(patch, List.of("bids", "asks"))).containsExactly("bids");
    }

    @Test
    void touchedMembers_unescapesPointerTokens_andRootMeansAll() throws Exception {
        JsonNode patch = json("[{\"op\":\"add\",\"path\":\"/a~1b/c\",\"value\":1},{\"op\":\"remove\",\"path\":\"/t~0x\"}]");
        assertThat(PatchEngine.touchedMembers(patch, List.of())).containsExactly("a/b", "t~x");

        JsonNode root = json("[{\"op\":\"replace\",\"path\":\"\",\"value\":{}}]");
        assertThat(PatchEngine.touchedMembers(root, List.of("m1", "m2"))).containsExactly("m1", "m2");
    }

    @Test
    void apply_onTheWrongBase_fails() throws Exception {
        JsonNode patch = json("[{\"op\":\"remove\",\"path\":\"/gone\"}]");
        assertThatThrownBy(() -> PatchEngine.apply(patch, json("{\"other\":1}")))
                .isInstanceOf(PatchEngine.PatchFailedException.class);
        JsonNode replace = json("[{\"op\":\"replace\",\"path\":\"/a/b\",\"value\":1}]");
        assertThatThrownBy(() -> PatchEngine.apply(replace, json("{\"x\":1}")))
                .isInstanceOf(PatchEngine.PatchFailedException.class);
    }
}
