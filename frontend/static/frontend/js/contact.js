// The page of a confirmation mail's link (/c/<token>): one button that confirms the address.
// Its texts are in the page (the server renders them in the workshop's language): this only shows them.
import { api } from "./api.js";
import { describeError } from "./errors.js";
import { $, showStatus } from "./dom.js";

const form = $("#confirm-form");

form.addEventListener("submit", async (event) => {
  event.preventDefault();
  const button = $("#confirm-button");
  button.disabled = true;
  try {
    await api.confirmContact(form.dataset.token);
    show("#confirmed");
  } catch (error) {
    if (error.status === 410) {
      show("#expired");
      return;
    }
    button.disabled = false;
    showStatus($("#confirm-status"), describeError(error), "error");
  }
});

/** Swap the form for one of the answers, and move focus there so that a screen reader reads it. */
function show(selector) {
  form.hidden = true;
  const answer = $(selector);
  answer.hidden = false;
  answer.focus();
}
