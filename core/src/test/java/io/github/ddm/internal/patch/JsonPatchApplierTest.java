package io.github.ddm.internal.patch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** RFC 6902 behaviour, including the cases of its Appendix A. */
class JsonPatchApplierTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private static JsonNode json(String text) throws Exception {
        return JSON.readTree(text.replace('\'', '"'));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "A.1 add member      | {'foo':'bar'}                 | [{'op':'add','path':'/baz','value':'qux'}]                      | {'baz':'qux','foo':'bar'}",
            "A.2 add array item  | {'foo':['bar','baz']}         | [{'op':'add','path':'/foo/1','value':'qux'}]                    | {'foo':['bar','qux','baz']}",
            "A.3 remove member   | {'baz':'qux','foo':'bar'}     | [{'op':'remove','path':'/baz'}]                                 | {'foo':'bar'}",
            "A.4 remove item     | {'foo':['bar','qux','baz']}   | [{'op':'remove','path':'/foo/1'}]                               | {'foo':['bar','baz']}",
            "A.5 replace         | {'baz':'qux','foo':'bar'}     | [{'op':'replace','path':'/baz','value':'boo'}]                  | {'baz':'boo','foo':'bar'}",
            "A.6 move member     | {'foo':{'bar':'baz','waldo':'fred'},'qux':{'corge':'grault'}} | [{'op':'move','from':'/foo/waldo','path':'/qux/thud'}] | {'foo':{'bar':'baz'},'qux':{'corge':'grault','thud':'fred'}}",
            "A.7 move item       | {'foo':['all','grass','cows','eat']} | [{'op':'move','from':'/foo/1','path':'/foo/3'}]          | {'foo':['all','cows','eat','grass']}",
            "A.10 nested add     | {'foo':'bar'}                 | [{'op':'add','path':'/child','value':{'grandchild':{}}}]        | {'foo':'bar','child':{'grandchild':{}}}",
            "A.14 escapes        | {'/':9,'~1':10}               | [{'op':'test','path':'/~01','value':10},{'op':'replace','path':'/~01','value':11}] | {'/':9,'~1':11}",
            "A.16 append         | {'foo':['bar']}               | [{'op':'add','path':'/foo/-','value':['abc','def']}]            | {'foo':['bar',['abc','def']]}",
            "copy                | {'a':{'b':1}}                 | [{'op':'copy','from':'/a','path':'/c'}]                         | {'a':{'b':1},'c':{'b':1}}",
            "test numbers        | {'n':1}                       | [{'op':'test','path':'/n','value':1.0}]                         | {'n':1}",
            "replace root        | {'a':1}                       | [{'op':'replace','path':'','value':{'b':2}}]                    | {'b':2}",
    })
    void appliesAsTheRfcSays(String name, String doc, String patch, String expected) throws Exception {
        assertThat(PatchEngine.apply(json(patch), json(doc))).isEqualTo(json(expected));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "A.8 test fails      | {'baz':'qux'}        | [{'op':'test','path':'/baz','value':'bar'}]",
            "A.12 missing parent | {'foo':'bar'}        | [{'op':'add','path':'/baz/bat','value':'qux'}]",
            "remove missing      | {'foo':'bar'}        | [{'op':'remove','path':'/baz'}]",
            "replace missing     | {'foo':'bar'}        | [{'op':'replace','path':'/baz','value':1}]",
            "index out of bounds | {'a':[1]}            | [{'op':'add','path':'/a/2','value':1}]",
            "leading zero index  | {'a':[1,2]}          | [{'op':'remove','path':'/a/01'}]",
            "bad escape          | {'a':1}              | [{'op':'remove','path':'/a~2'}]",
            "move into child     | {'a':{'b':1}}        | [{'op':'move','from':'/a','path':'/a/b/c'}]",
            "unknown op          | {'a':1}              | [{'op':'frob','path':'/a'}]",
    })
    void rejectsWhatDoesNotFit_andLeavesTheBaseAlone(String name, String doc, String patch) throws Exception {
        JsonNode base = json(doc);
        JsonNode before = base.deepCopy();
        assertThatThrownBy(() -> PatchEngine.apply(json(patch), base)).isInstanceOf(PatchEngine.PatchFailedException.class);
        assertThat(base).isEqualTo(before);
    }

    /** zjsonpatch issue #82: "/t~01" names the member "t~1", not "t/". */
    @Test
    void zjsonpatchIssue82_memberNamedWithTildeOne_roundTrips() throws Exception {
        JsonNode from = json("{'t~1':1,'t/':2}");
        JsonNode to = json("{'t~1':5,'t/':2}");

        JsonNode patch = PatchEngine.diff(from, to);

        assertThat(patch.toString()).contains("/t~01");
        assertThat(PatchEngine.apply(patch, from)).isEqualTo(to);
    }
}
