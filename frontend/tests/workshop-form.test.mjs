// The workshop's settings as typed: agenda, columns (lines or commas) and profile questions.
import { test } from "node:test";
import assert from "node:assert/strict";
import { fieldOf, formatAgenda, formatColumns, formatQuestions, parseAgenda, parseColumns, parseQuestions } from "../static/frontend/js/workshop-form.js";

test("columns are taken one per line and also separated by commas", () => {
  assert.deepEqual(parseColumns("Problems, Ideas, Questions"), ["Problems", "Ideas", "Questions"]);
  assert.deepEqual(parseColumns("Problems\n Ideas \n\nQuestions,"), ["Problems", "Ideas", "Questions"]);
  assert.deepEqual(parseColumns(formatColumns(["A", "B"])), ["A", "B"]);
  assert.deepEqual(parseColumns("  "), []);
});

test("a column twice, too long or too many is refused with a sentence", () => {
  assert.throws(() => parseColumns("Ideas\nideas"), /“ideas” is there twice/);
  assert.throws(() => parseColumns("x".repeat(81)), /at most 80 characters/);
  assert.throws(() => parseColumns(Array.from({ length: 11 }, (_, i) => `C${i}`).join(",")), /At most 10 columns/);
});

test("the agenda reads back what it wrote", () => {
  const agenda = [{ title: "Welcome", minutes: 10 }, { title: "Ideas, round 1", minutes: 20 }];
  assert.deepEqual(parseAgenda(formatAgenda(agenda)), agenda);
  assert.throws(() => parseAgenda("Welcome"), /Line 1/);
});

test("profile questions: “question: option, option”, keys from the label, kept keys for kept questions", () => {
  const questions = parseQuestions("Age group: under 30, 30 to 60, over 60\nWhere do you live?: Noord, Zuid");
  assert.deepEqual(questions, [
    { key: "age_group", label: "Age group", options: ["under 30", "30 to 60", "over 60"] },
    { key: "where_do_you_live", label: "Where do you live?", options: ["Noord", "Zuid"] },
  ]);
  assert.deepEqual(parseQuestions(formatQuestions(questions)), questions);
  const previous = [{ key: "age", label: "Age group", options: ["young", "old"] }];
  assert.equal(parseQuestions("Age group: a, b", previous)[0].key, "age");
  assert.deepEqual(parseQuestions("Âge: a, b\nÂge!: c, d").map((q) => q.key), ["age", "age_2"]);
  assert.equal(parseQuestions("Возраст: a, b")[0].key, "q1");
  assert.throws(() => parseQuestions("Age: only one"), /Line 1.*at least two options/);
  assert.throws(() => parseQuestions("\nno colon here"), /Line 2/);
  assert.throws(() => parseQuestions("Age: a, a"), /each option once/);
});

test("a server's field error names the form field", () => {
  assert.equal(fieldOf("columns.0"), "columns");
  assert.equal(fieldOf("title"), "title");
});
