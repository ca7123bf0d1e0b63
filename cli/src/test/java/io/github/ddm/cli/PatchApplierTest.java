package io.github.ddm.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

/**
 * {@code ddm check}'s own RFC 6902 applier: every op, arrays, RFC 6901 pointer escapes, and the examples of RFC 6902 appendix A
 * (written with single quotes for readability).
 */
class PatchApplierTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private static JsonNode json(String text) {
        try {
            return JSON.readTree(text.replace('\'', '"'));
        } catch (Exception e) {
            throw new IllegalArgumentException(text, e);
        }
    }

    private static JsonNode apply(String document, String patch) {
        return PatchApplier.apply(json(patch), json(document));
    }

    private static void assertFails(String document, String patch, int index, String... messageParts) {
        assertThatThrownBy(() -> apply(document, patch)).isInstanceOfSatisfying(PatchApplier.PatchFailedException.class, e -> {
            assertThat(e.index()).isEqualTo(index);
            assertThat(e.getMessage()).contains(messageParts);
        });
    }

    // RFC 6901 escapes

    @Test
    void apply_escapedMemberNames_decodeOnce() {
        // "~01" is "~1" (not "/"), "~10" is "/0", "a~1b" is "a/b", "~0~1" is "~/".
        JsonNode patched = apply("{'~1':1,'/':2,'/0':3,'~/':4,'a/b':5,'a~b':6}", "[{'op':'replace','path':'/~01','value':10},"
                + "{'op':'replace','path':'/~10','value':30},{'op':'replace','path':'/~0~1','value':40},"
                + "{'op':'replace','path':'/a~1b','value':50},{'op':'replace','path':'/a~0b','value':60}]");
        assertThat(patched).isEqualTo(json("{'~1':10,'/':2,'/0':30,'~/':40,'a/b':50,'a~b':60}"));
    }

    @Test
    void apply_tildeZeroOne_namesTheMemberTildeOne_notSlash() {
        // zjsonpatch 0.4.16 decodes "~0" first and adds to "/" instead.
        assertThat(apply("{}", "[{'op':'add','path':'/~01','value':1}]")).isEqualTo(json("{'~1':1}"));
        assertThat(apply("{'~1':1}", "[{'op':'remove','path':'/~01'}]")).isEqualTo(json("{}"));
    }

    @Test
    void apply_slashAlone_namesTheEmptyMember() {
        assertThat(apply("{'':1,'a':2}", "[{'op':'replace','path':'/','value':3}]")).isEqualTo(json("{'':3,'a':2}"));
        assertThat(apply("{}", "[{'op':'add','path':'/','value':{}},{'op':'add','path':'//','value':4}]"))
                .isEqualTo(json("{'':{'':4}}"));
        assertThat(apply("{'':{'x':1}}", "[{'op':'move','from':'//x','path':'/x'}]")).isEqualTo(json("{'':{},'x':1}"));
    }

    @Test
    void apply_emptyPath_namesTheWholeDocument() {
        assertThat(apply("{'a':1}", "[{'op':'replace','path':'','value':{'b':2}}]")).isEqualTo(json("{'b':2}"));
        assertThat(apply("{'a':1}", "[{'op':'add','path':'','value':[1]}]")).isEqualTo(json("[1]"));
        assertThat(apply("{'a':1}", "[{'op':'test','path':'','value':{'a':1}}]")).isEqualTo(json("{'a':1}"));
        assertFails("{'a':1}", "[{'op':'remove','path':''}]", 0, "cannot remove the whole document");
    }

    @Test
    void apply_malformedEscapes_fail() {
        assertFails("{'~2':1}", "[{'op':'remove','path':'/~2'}]", 0, "'~' at 1 of \"/~2\" is not followed by 0 or 1");
        assertFails("{'a~':1}", "[{'op':'remove','path':'/a~'}]", 0, "not followed by 0 or 1");
        assertFails("{'a':1}", "[{'op':'remove','path':'a'}]", 0, "neither empty nor starts with '/'");
    }

    @Test
    void apply_errorsNameTheMissingMember_withItsDecodedName() {
        assertFails("{'/':1}", "[{'op':'test','path':'/~0','value':1},{'op':'replace','path':'/x/~01','value':2}]", 0,
                "operation 0 (test \"/~0\")", "the object at \"\" has no member \"~\"");
        assertFails("{'x':{'/':1}}", "[{'op':'replace','path':'/x/~01','value':2}]", 0,
                "the object at \"/x\" has no member \"~1\"");
    }

    // every op

    @Test
    void add_objectMember_addsOrReplaces() {
        assertThat(apply("{'a':1}", "[{'op':'add','path':'/b','value':2},{'op':'add','path':'/a','value':3}]"))
                .isEqualTo(json("{'a':3,'b':2}"));
    }

    @Test
    void add_underAMissingParent_fails() {
        assertFails("{'a':1}", "[{'op':'add','path':'/a','value':2},{'op':'add','path':'/x/y','value':1}]", 1,
                "operation 1 (add \"/x/y\")", "has no member \"x\"");
        assertFails("{'a':1}", "[{'op':'add','path':'/a/b','value':1}]", 0, "\"/a\" is a number, not an object or an array");
    }

    @Test
    void remove_objectMember_removesIt_andAMissingOneFails() {
        assertThat(apply("{'a':1,'b':{'c':2}}", "[{'op':'remove','path':'/b/c'}]")).isEqualTo(json("{'a':1,'b':{}}"));
        assertFails("{'a':1}", "[{'op':'remove','path':'/b'}]", 0, "operation 0 (remove \"/b\")", "has no member \"b\"");
    }

    @Test
    void replace_objectMember_replacesIt_andAMissingOneFails() {
        assertThat(apply("{'a':1}", "[{'op':'replace','path':'/a','value':[1,2]}]")).isEqualTo(json("{'a':[1,2]}"));
        assertFails("{'a':1}", "[{'op':'replace','path':'/b','value':1}]", 0, "has no member \"b\"");
    }

    @Test
    void move_intoItsOwnChild_fails_andOntoItself_changesNothing() {
        assertFails("{'a':{'b':1}}", "[{'op':'move','from':'/a','path':'/a/c'}]", 0, "cannot move \"/a\" into one of its own children");
        assertThat(apply("{'a':{'b':1}}", "[{'op':'move','from':'/a','path':'/a'}]")).isEqualTo(json("{'a':{'b':1}}"));
        assertFails("{'a':1}", "[{'op':'move','from':'/x','path':'/x'}]", 0, "has no member \"x\"");
        // A sibling whose name merely starts with the same characters is not a child.
        assertThat(apply("{'a':1}", "[{'op':'move','from':'/a','path':'/ab'}]")).isEqualTo(json("{'ab':1}"));
    }

    @Test
    void copy_isADeepCopy_soLaterOpsChangeOnlyOneOfThem() {
        assertThat(apply("{'a':{'b':1}}", "[{'op':'copy','from':'/a','path':'/c'},{'op':'replace','path':'/c/b','value':2}]"))
                .isEqualTo(json("{'a':{'b':1},'c':{'b':2}}"));
        assertFails("{'a':1}", "[{'op':'copy','from':'/x','path':'/c'}]", 0, "operation 0 (copy \"/c\")", "has no member \"x\"");
    }

    @Test
    void addedValues_areCopies_ofThePatch() {
        JsonNode patch = json("[{'op':'add','path':'/a','value':{}},{'op':'add','path':'/a/b','value':1}]");
        assertThat(PatchApplier.apply(patch, json("{}"))).isEqualTo(json("{'a':{'b':1}}"));
        assertThat(patch).as("the patch is unchanged").isEqualTo(json("[{'op':'add','path':'/a','value':{}},{'op':'add','path':'/a/b','value':1}]"));
    }

    @Test
    void test_numbersCompareByValue_membersInAnyOrder() {
        assertThat(apply("{'a':1,'b':{'x':[1,2.50],'y':null}}", "[{'op':'test','path':'/a','value':1.0},"
                + "{'op':'test','path':'/b','value':{'y':null,'x':[1.0,2.5]}}]")).isEqualTo(json("{'a':1,'b':{'x':[1,2.50],'y':null}}"));
        assertFails("{'a':[1,2]}", "[{'op':'test','path':'/a','value':[2,1]}]", 0, "test failed: the value is [1,2], not [2,1]");
        assertFails("{'a':{'x':1}}", "[{'op':'test','path':'/a','value':{'x':1,'y':2}}]", 0, "test failed");
        assertFails("{'a':null}", "[{'op':'test','path':'/a','value':false}]", 0, "test failed");
    }

    @Test
    void apply_isAllOrNothing_andLeavesTheDocumentAlone() {
        JsonNode document = json("{'a':1}");
        assertThatThrownBy(() -> PatchApplier.apply(json("[{'op':'add','path':'/b','value':2},{'op':'remove','path':'/c'}]"), document))
                .isInstanceOf(PatchApplier.PatchFailedException.class);
        assertThat(PatchApplier.apply(json("[{'op':'add','path':'/b','value':2}]"), document)).isEqualTo(json("{'a':1,'b':2}"));
        assertThat(document).isEqualTo(json("{'a':1}"));
    }

    @Test
    void apply_emptyPatch_givesAnEqualCopy() {
        JsonNode document = json("{'a':[1]}");
        JsonNode patched = PatchApplier.apply(json("[]"), document);
        assertThat(patched).isEqualTo(document).isNotSameAs(document);
    }

    @Test
    void apply_malformedOperations_failNamingTheOperation() {
        assertFails("{}", "{'op':'add'}", -1, "a patch is a JSON array of operations, not an object");
        assertThatThrownBy(() -> PatchApplier.apply(null, json("{}"))).isInstanceOf(PatchApplier.PatchFailedException.class)
                .hasMessageContaining("not nothing");
        assertFails("{}", "[{'op':'test','path':'','value':{}},7]", 1, "operation 1 is not a JSON object but a number");
        assertFails("{}", "[{'path':'/a','value':1}]", 0, "operation 0: no \"op\" string");
        assertFails("{}", "[{'op':'add','value':1}]", 0, "operation 0: no \"path\" string");
        assertFails("{}", "[{'op':'add','path':'/a'}]", 0, "operation 0 (add \"/a\"): no \"value\"");
        assertFails("{'a':1}", "[{'op':'move','path':'/b'}]", 0, "no \"from\" string");
        assertFails("{}", "[{'op':'merge','path':'/a','value':1}]", 0, "unknown op \"merge\"");
        assertThatThrownBy(() -> apply("{}", "[{'op':'add','path':'/a~1b/c','value':1}]"))
                .isInstanceOfSatisfying(PatchApplier.PatchFailedException.class, e -> assertThat(e.path()).isEqualTo("/a~1b/c"));
    }

    @Test
    void apply_nullValue_isAValue() {
        assertThat(apply("{}", "[{'op':'add','path':'/a','value':null}]")).isEqualTo(json("{'a':null}"));
    }

    // arrays

    @Test
    void add_arrayIndex_insertsBefore_andDashAppends() {
        assertThat(apply("{'a':[1,2]}", "[{'op':'add','path':'/a/0','value':0},{'op':'add','path':'/a/3','value':3},"
                + "{'op':'add','path':'/a/-','value':4}]")).isEqualTo(json("{'a':[0,1,2,3,4]}"));
        assertThat(apply("[]", "[{'op':'add','path':'/-','value':'x'}]")).isEqualTo(json("['x']"));
    }

    @Test
    void add_arrayIndexPastTheEnd_fails() {
        assertFails("{'a':[1,2]}", "[{'op':'add','path':'/a/3','value':3}]", 0, "index 3 is past the end of the array at \"/a\" (2 elements)");
    }

    @Test
    void arrayIndexes_withLeadingZerosSignsOrLetters_fail() {
        for (String index : new String[] {"01", "-1", "+1", "1a", "", "99999999999"}) {
            assertFails("{'a':[1,2]}", "[{'op':'replace','path':'/a/" + index + "','value':0}]", 0, "\"" + index + "\" is not an array index");
        }
    }

    @Test
    void removeReplaceAndTest_ofArrayElements_needAnExistingIndex() {
        assertThat(apply("[1,2,3]", "[{'op':'remove','path':'/1'},{'op':'replace','path':'/1','value':9},{'op':'test','path':'/0','value':1}]"))
                .isEqualTo(json("[1,9]"));
        assertFails("[1,2]", "[{'op':'remove','path':'/2'}]", 0, "index 2 is out of bounds for the array at \"\" (2 elements)");
        assertFails("[1,2]", "[{'op':'replace','path':'/-','value':0}]", 0, "\"-\" (past the end) names no element");
        assertFails("[1,2]", "[{'op':'test','path':'/-','value':0}]", 0, "names no element");
    }

    @Test
    void numericNames_onObjects_areMemberNames() {
        assertThat(apply("{'0':'a','01':'b'}", "[{'op':'replace','path':'/01','value':'c'},{'op':'add','path':'/-','value':'d'}]"))
                .isEqualTo(json("{'0':'a','01':'c','-':'d'}"));
    }

    @Test
    void moveAndCopy_betweenArrays() {
        assertThat(apply("{'a':[1,2],'b':[]}", "[{'op':'move','from':'/a/0','path':'/b/-'},{'op':'copy','from':'/a/0','path':'/b/0'}]"))
                .isEqualTo(json("{'a':[2],'b':[2,1]}"));
    }

    // RFC 6902 appendix A

    @Test
    void rfc6902_A1_addingAnObjectMember() {
        assertThat(apply("{'foo':'bar'}", "[{'op':'add','path':'/baz','value':'qux'}]")).isEqualTo(json("{'baz':'qux','foo':'bar'}"));
    }

    @Test
    void rfc6902_A2_addingAnArrayElement() {
        assertThat(apply("{'foo':['bar','baz']}", "[{'op':'add','path':'/foo/1','value':'qux'}]"))
                .isEqualTo(json("{'foo':['bar','qux','baz']}"));
    }

    @Test
    void rfc6902_A3_removingAnObjectMember() {
        assertThat(apply("{'baz':'qux','foo':'bar'}", "[{'op':'remove','path':'/baz'}]")).isEqualTo(json("{'foo':'bar'}"));
    }

    @Test
    void rfc6902_A4_removingAnArrayElement() {
        assertThat(apply("{'foo':['bar','qux','baz']}", "[{'op':'remove','path':'/foo/1'}]")).isEqualTo(json("{'foo':['bar','baz']}"));
    }

    @Test
    void rfc6902_A5_replacingAValue() {
        assertThat(apply("{'baz':'qux','foo':'bar'}", "[{'op':'replace','path':'/baz','value':'boo'}]"))
                .isEqualTo(json("{'baz':'boo','foo':'bar'}"));
    }

    @Test
    void rfc6902_A6_movingAValue() {
        assertThat(apply("{'foo':{'bar':'baz','waldo':'fred'},'qux':{'corge':'grault'}}",
                "[{'op':'move','from':'/foo/waldo','path':'/qux/thud'}]"))
                .isEqualTo(json("{'foo':{'bar':'baz'},'qux':{'corge':'grault','thud':'fred'}}"));
    }

    @Test
    void rfc6902_A7_movingAnArrayElement() {
        assertThat(apply("{'foo':['all','grass','cows','eat']}", "[{'op':'move','from':'/foo/1','path':'/foo/3'}]"))
                .isEqualTo(json("{'foo':['all','cows','eat','grass']}"));
    }

    @Test
    void rfc6902_A8_testingAValue_success() {
        assertThat(apply("{'baz':'qux','foo':['a',2,'c']}", "[{'op':'test','path':'/baz','value':'qux'},"
                + "{'op':'test','path':'/foo/1','value':2}]")).isEqualTo(json("{'baz':'qux','foo':['a',2,'c']}"));
    }

    @Test
    void rfc6902_A9_testingAValue_error() {
        assertFails("{'baz':'qux'}", "[{'op':'test','path':'/baz','value':'bar'}]", 0, "operation 0 (test \"/baz\")",
                "test failed: the value is \"qux\", not \"bar\"");
    }

    @Test
    void rfc6902_A10_addingANestedMemberObject() {
        assertThat(apply("{'foo':'bar'}", "[{'op':'add','path':'/child','value':{'grandchild':{}}}]"))
                .isEqualTo(json("{'foo':'bar','child':{'grandchild':{}}}"));
    }

    @Test
    void rfc6902_A11_ignoringUnrecognizedElements() {
        assertThat(apply("{'foo':'bar'}", "[{'op':'add','path':'/baz','value':'qux','xyz':123}]"))
                .isEqualTo(json("{'foo':'bar','baz':'qux'}"));
    }

    @Test
    void rfc6902_A12_addingToANonexistentTarget() {
        assertFails("{'foo':'bar'}", "[{'op':'add','path':'/baz/bat','value':'qux'}]", 0, "operation 0 (add \"/baz/bat\")",
                "has no member \"baz\"");
    }

    @Test
    void rfc6902_A14_tildeEscapeOrdering() {
        assertThat(apply("{'/':9,'~1':10}", "[{'op':'test','path':'/~01','value':10}]")).isEqualTo(json("{'/':9,'~1':10}"));
    }

    @Test
    void rfc6902_A15_comparingStringsAndNumbers() {
        assertFails("{'/':9,'~1':10}", "[{'op':'test','path':'/~01','value':'10'}]", 0, "test failed: the value is 10, not \"10\"");
    }

    @Test
    void rfc6902_A16_addingAnArrayValue() {
        assertThat(apply("{'foo':['bar']}", "[{'op':'add','path':'/foo/-','value':['abc','def']}]"))
                .isEqualTo(json("{'foo':['bar',['abc','def']]}"));
    }
}
