package dev.flashcomm.eval.tasks;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import dev.flashcomm.datasets.TaskItem;
import dev.flashcomm.datasets.TaskLoader;
import dev.flashcomm.datasets.TaskRegistry;
import dev.flashcomm.datasets.TaskSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The first items of every task, read from hand-written records in the layout of each task's original release, give
 * the request strings that lm-evaluation-harness 0.4.13 builds, written out here by hand from its task YAMLs and
 * utils (zero-shot: context {@code doc_to_text}, continuation {@code target_delimiter " " + choice}).
 *
 * <p>The strings are compared where the encoder sees them: {@link RequestText#of}, the step {@link TaskScorer} takes,
 * which is lm-eval's pair after {@code _encode_pair} has moved the context's trailing whitespace. For these items
 * nothing moves except in LAMBADA's double-space line, so the strings are also lm-eval's logged {@code arguments}.
 */
class LmEvalRequestsTest {
    private static final Gson GSON = new GsonBuilder().disableHtmlEscaping().create();

    /** One request exactly as encoded; a plain record, so an expected context is never "fixed" by RequestText. */
    record Request(String context, String continuation) {
    }

    record Item(List<Request> requests, int gold) {
    }

    // ---- piqa (original release: valid.jsonl + valid-labels.lst; lm-eval "Question: {{goal}}\nAnswer:") ----

    @Test
    void piqa(@TempDir Path dir) throws IOException {
        Path file = write(dir, "valid.jsonl",
                json("goal", "How do I ready a guinea pig cage for it's new occupants?",
                        "sol1", "Provide the guinea pig with a cage full of a few inches of bedding made of ripped"
                                + " paper strips, you will also need to supply it with a water bottle and a food"
                                + " dish.",
                        "sol2", "Provide the guinea pig with a cage full of a few inches of bedding made of ripped"
                                + " jeans material, you will also need to supply it with a water bottle and a food"
                                + " dish."),
                json("goal", "dresser", "sol1", "replace drawer with bobby pin ",
                        "sol2", "finish, woodgrain with  bobby pin "));
        write(dir, "valid-labels.lst", "0", "1");
        assertEquals(List.of(
                        sameContext(0, "Question: How do I ready a guinea pig cage for it's new occupants?\nAnswer:",
                                " Provide the guinea pig with a cage full of a few inches of bedding made of ripped"
                                        + " paper strips, you will also need to supply it with a water bottle and a"
                                        + " food dish.",
                                " Provide the guinea pig with a cage full of a few inches of bedding made of ripped"
                                        + " jeans material, you will also need to supply it with a water bottle and a"
                                        + " food dish."),
                        // the solutions' trailing and inner double spaces are scored as they are
                        sameContext(1, "Question: dresser\nAnswer:",
                                " replace drawer with bobby pin ", " finish, woodgrain with  bobby pin ")),
                requests(TaskRegistry.PIQA, file));
    }

    // ---- arc_easy / arc_challenge (original {question:{stem,choices}}, answerKey; "Question: ...\nAnswer:") ----

    @Test
    void arcEasy(@TempDir Path dir) throws IOException {
        Path file = write(dir, "ARC-Easy-Test.jsonl",
                arc("Which statement best explains why photosynthesis is the foundation of most food webs?", "A",
                        "Sunlight is the source of energy for nearly all ecosystems.",
                        "Most ecosystems are found on land instead of in water.",
                        "Carbon dioxide is more available than other gases.",
                        "The producers in all ecosystems are plants."),
                arc("Which piece of safety equipment is used to keep mold spores from entering the respiratory"
                        + " system?", "B", "safety goggles", "breathing mask", "rubber gloves", "lead apron"));
        assertEquals(List.of(
                        sameContext(0, "Question: Which statement best explains why photosynthesis is the foundation"
                                        + " of most food webs?\nAnswer:",
                                " Sunlight is the source of energy for nearly all ecosystems.",
                                " Most ecosystems are found on land instead of in water.",
                                " Carbon dioxide is more available than other gases.",
                                " The producers in all ecosystems are plants."),
                        sameContext(1, "Question: Which piece of safety equipment is used to keep mold spores from"
                                        + " entering the respiratory system?\nAnswer:",
                                " safety goggles", " breathing mask", " rubber gloves", " lead apron")),
                requests(TaskRegistry.ARC_EASY, file));
    }

    @Test
    void arcChallenge(@TempDir Path dir) throws IOException {
        Path file = write(dir, "ARC-Challenge-Test.jsonl",
                arc("An astronomer observes that a planet rotates faster after a meteorite impact. Which is the most"
                                + " likely effect of this increase in rotation?", "C",
                        "Planetary density will decrease.", "Planetary years will become longer.",
                        "Planetary days will become shorter.", "Planetary gravity will become stronger."));
        assertEquals(List.of(
                        sameContext(2, "Question: An astronomer observes that a planet rotates faster after a meteorite"
                                        + " impact. Which is the most likely effect of this increase in rotation?"
                                        + "\nAnswer:",
                                " Planetary density will decrease.", " Planetary years will become longer.",
                                " Planetary days will become shorter.", " Planetary gravity will become stronger.")),
                requests(TaskRegistry.ARC_CHALLENGE, file));
    }

    // ---- hellaswag (original jsonl; lm-eval's process_docs: ctx_b.capitalize(), preprocess) ----

    @Test
    void hellaswag(@TempDir Path dir) throws IOException {
        Path file = write(dir, "hellaswag_val.jsonl",
                hellaswag("Roof shingle removal", "A man is sitting on a roof.", "he", 3,
                        "is using wrap to wrap a pair of skis.", "is ripping level tiles off.",
                        "is holding a rubik's cube.", "starts pulling up roofing on a roof."),
                hellaswag("Clean and jerk", "A lady walks to a barbell. She bends down and grabs the pole.",
                        "the lady", 3,
                        "swings and lands in her arms.", "pulls the barbell forward.",
                        "pulls a rope attached to the barbell.", "stands and lifts the weight over her head."),
                // Not a release item: WikiHow-shaped, for the brackets and capitalize() lower-casing the rest.
                hellaswag("Home and Garden", "[header] How to clean a Grill. [title] Heat the grill.",
                        "once HOT, scrub the Grates", 0,
                        "[step] Use a brush  with stiff bristles.", "Rinse it [title] Let it dry.", "  Leave it.  ",
                        "Pour water on it."));
        assertEquals(List.of(
                        sameContext(3, "Roof shingle removal: A man is sitting on a roof. He",
                                " is using wrap to wrap a pair of skis.", " is ripping level tiles off.",
                                " is holding a rubik's cube.", " starts pulling up roofing on a roof."),
                        sameContext(3, "Clean and jerk: A lady walks to a barbell. She bends down and grabs the pole."
                                        + " The lady",
                                " swings and lands in her arms.", " pulls the barbell forward.",
                                " pulls a rope attached to the barbell.",
                                " stands and lifts the weight over her head."),
                        // ". [title]" becomes ".. ", "[header]" and "[step]" vanish (the step's space stays), then
                        // one pass of "  " -> " "
                        sameContext(0, "Home and Garden: How to clean a Grill.. Heat the grill. Once hot, scrub the"
                                        + " grates",
                                "  Use a brush with stiff bristles.", " Rinse it. Let it dry.", " Leave it.",
                                " Pour water on it.")),
                requests(TaskRegistry.HELLASWAG, file));
    }

    // ---- winogrande (original {sentence, option1, option2, answer}; partial evaluation) ----

    @Test
    void winogrande(@TempDir Path dir) throws IOException {
        Path file = write(dir, "dev.jsonl",
                json("sentence", "Sarah was a much better surgeon than Maria so _ always got the easier cases.",
                        "option1", "Sarah", "option2", "Maria", "answer", "2"),
                json("sentence", "Sarah was a much better surgeon than Maria so _ always got the harder cases.",
                        "option1", "Sarah", "option2", "Maria", "answer", "1"));
        String sarah = "Sarah was a much better surgeon than Maria so Sarah";
        String maria = "Sarah was a much better surgeon than Maria so Maria";
        assertEquals(List.of(
                        new Item(List.of(new Request(sarah, " always got the easier cases."),
                                new Request(maria, " always got the easier cases.")), 1),
                        new Item(List.of(new Request(sarah, " always got the harder cases."),
                                new Request(maria, " always got the harder cases.")), 0)),
                requests(TaskRegistry.WINOGRANDE, file));
    }

    // ---- lambada_openai (original {text}; context = all but the last ' '-separated word) ----

    @Test
    void lambadaOpenai(@TempDir Path dir) throws IOException {
        String first = "In my palm is a clear stone, and inside it is a small ivory statuette. A guardian angel.\n\n"
                + "\"Figured if you're going to be out at night getting hit by cars, you might as well have some"
                + " backup.\"\n\nI look at him, feeling stunned. Like this is some sort of sign. But as I stare at"
                + " Harlin, his mouth curved in a confident grin, I don't care about";
        String second = "Give me a minute to change and I'll meet you at the docks.\" She'd forced those words"
                + " through her teeth.\n\n\"No need to change. We won't be that long.\"\n\nShane gripped her arm and"
                + " started leading her to the dock.\n\n\"I can make it there on my own,";
        Path file = write(dir, "lambada_test.jsonl",
                json("text", first + " signs"), json("text", second + " Shane"),
                // Not a release item: split(' ') leaves "She said " as context, and _encode_pair moves its space.
                json("text", "She said  yes"));
        assertEquals(List.of(sameContext(0, first, " signs"), sameContext(0, second, " Shane"),
                        sameContext(0, "She said", "  yes")),
                requests(TaskRegistry.LAMBADA_OPENAI, file));
    }

    // ---- boolq (SuperGLUE {question, passage, idx, label}; "{{passage}}\nQuestion: {{question}}?\nAnswer:") ----

    private static final String ETHANOL = "All biomass goes through at least some of these steps: it needs to be"
            + " grown, collected, dried, fermented, distilled, and burned. All of these steps require resources and an"
            + " infrastructure. The total amount of energy input into the process compared to the energy released by"
            + " burning the resulting ethanol fuel is known as the energy balance (or ``energy returned on energy"
            + " invested''). Figures compiled in a 2007 report by National Geographic Magazine point to modest results"
            + " for corn ethanol produced in the US: one unit of fossil-fuel energy is required to create 1.3 energy"
            + " units from the resulting ethanol. The energy balance for sugarcane ethanol produced in Brazil is more"
            + " favorable, with one unit of fossil-fuel energy required to create 8 from the ethanol. Energy balance"
            + " estimates are not easily produced, thus numerous such reports have been generated that are"
            + " contradictory. For instance, a separate survey reports that production of ethanol from sugarcane,"
            + " which requires a tropical climate to grow productively, returns from 8 to 9 units of energy for each"
            + " unit expended, as compared to corn, which only returns about 1.34 units of fuel energy for each unit"
            + " of energy expended. A 2006 University of California Berkeley study, after analyzing six separate"
            + " studies, concluded that producing ethanol from corn uses much less petroleum than producing gasoline.";

    @Test
    void boolq(@TempDir Path dir) throws IOException {
        Path file = write(dir, "val.jsonl", json("question", "does ethanol take more energy make that produces",
                "passage", "Ethanol fuel -- " + ETHANOL, "idx", 0, "label", 0));
        assertEquals(List.of(sameContext(0,
                        "Ethanol fuel -- " + ETHANOL + "\nQuestion: does ethanol take more energy make that produces?"
                                + "\nAnswer:",
                        " no", " yes")),
                requests(TaskRegistry.BOOLQ, file));
    }

    // ---- openbookqa (original {id, question:{stem,choices}, answerKey}; context is the bare stem) ----

    @Test
    void openbookqa(@TempDir Path dir) throws IOException {
        String stem = "A person wants to start saving money so that they can afford a nice vacation at the end of"
                + " the year. After looking over their budget and expenses, they decide the best way to save money"
                + " is to";
        Path file = write(dir, "test.jsonl",
                arc(stem, "B", "make more phone calls", "quit eating lunch out", "buy less with monopoly money",
                        "have lunch with friends"),
                arc("There is most likely going to be fog around:", "A", "a marsh", "a tundra", "the plains",
                        "a desert"));
        assertEquals(List.of(
                        sameContext(1, stem, " make more phone calls", " quit eating lunch out",
                                " buy less with monopoly money", " have lunch with friends"),
                        sameContext(0, "There is most likely going to be fog around:",
                                " a marsh", " a tundra", " the plains", " a desert")),
                requests(TaskRegistry.OPENBOOKQA, file));
    }

    // ---- copa (SuperGLUE; utils.py: premise[:-1] + " because|therefore", " " + convert_choice, plus " ") ----

    @Test
    void copa(@TempDir Path dir) throws IOException {
        Path file = write(dir, "val.jsonl",
                copa(0, "The man turned on the faucet.", "The toilet filled with water.",
                        "Water flowed from the spout.", "effect", 1),
                copa(1, "The girl found a bug in her cereal.", "She poured milk in the bowl.",
                        "She lost her appetite.", "effect", 1),
                copa(2, "The woman retired.", "She received her pension.", "She paid off her mortgage.", "effect",
                        0),
                copa(3, "I wanted to conserve energy.", "I swept the floor in the unoccupied room.",
                        "I shut off the light in the unoccupied room.", "effect", 1),
                copa(4, "The hamburger meat browned.", "The cook froze it.", "The cook grilled it.", "cause", 1));
        assertEquals(List.of(
                        sameContext(1, "The man turned on the faucet therefore",
                                "  the toilet filled with water.", "  water flowed from the spout."),
                        sameContext(1, "The girl found a bug in her cereal therefore",
                                "  she poured milk in the bowl.", "  she lost her appetite."),
                        sameContext(0, "The woman retired therefore",
                                "  she received her pension.", "  she paid off her mortgage."),
                        // convert_choice lower-cases "I" as well
                        sameContext(1, "I wanted to conserve energy therefore",
                                "  i swept the floor in the unoccupied room.",
                                "  i shut off the light in the unoccupied room."),
                        sameContext(1, "The hamburger meat browned because",
                                "  the cook froze it.", "  the cook grilled it.")),
                requests(TaskRegistry.COPA, file));
    }

    // ---- helpers ----

    /** What the scorer encodes for each item of {@code file}, through the same step as {@link TaskScorer}. */
    private static List<Item> requests(TaskSpec spec, Path file) {
        List<TaskItem> items = TaskLoader.load(spec, file);
        return items.stream().map(item -> new Item(item.choices().stream().map(RequestText::of)
                .map(t -> new Request(t.context(), t.continuation())).toList(), item.gold())).toList();
    }

    private static Item sameContext(int gold, String context, String... continuations) {
        return new Item(Arrays.stream(continuations).map(c -> new Request(context, c)).toList(), gold);
    }

    /** A JSON line from key/value pairs, so the texts stay readable Java strings (quotes, newlines). */
    private static String json(Object... keysAndValues) {
        Map<String, Object> doc = new LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            doc.put((String) keysAndValues[i], keysAndValues[i + 1]);
        }
        return GSON.toJson(doc);
    }

    /** ARC's and OpenBookQA's release layout, choices labelled A, B, C, ... */
    private static String arc(String stem, String answerKey, String... texts) {
        List<Map<String, String>> choices = new ArrayList<>();
        for (int i = 0; i < texts.length; i++) {
            choices.add(Map.of("text", texts[i], "label", String.valueOf((char) ('A' + i))));
        }
        return json("question", Map.of("stem", stem, "choices", choices), "answerKey", answerKey);
    }

    private static String hellaswag(String activity, String ctxA, String ctxB, int label, String... endings) {
        return json("activity_label", activity, "ctx_a", ctxA, "ctx_b", ctxB, "split", "val",
                "endings", List.of(endings), "label", label);
    }

    private static String copa(int idx, String premise, String choice1, String choice2, String question, int label) {
        return json("premise", premise, "choice1", choice1, "choice2", choice2, "question", question, "idx", idx,
                "label", label);
    }

    private static Path write(Path dir, String name, String... lines) throws IOException {
        return Files.writeString(dir.resolve(name), String.join("\n", lines) + "\n");
    }
}
