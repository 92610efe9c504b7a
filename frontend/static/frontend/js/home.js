// The front page: join with a code; staff log in, see their workshops and create new ones.
import { api, resetCsrf } from "./api.js";
import { $, h, showStatus, setFieldError, setText, setUnavailable, isUnavailable } from "./dom.js";
import { gettext } from "./i18n.js";
import { describeError } from "./errors.js";
import { statusLabel } from "./labels.js";
import { fieldOf, parseAgenda, parseColumns, parseQuestions } from "./workshop-form.js";

const ROLE_NAMES = {
  facilitator: () => gettext("facilitator"),
  moderator: () => gettext("moderator"),
  official: () => gettext("official"),
};

/** Accept a bare code or a pasted link to /w/<code>/, in any case (codes are lower case). */
export function codeFrom(value) {
  const text = value.trim();
  const match = text.match(/\/w\/([A-Za-z0-9_-]+)/);
  if (match) return match[1].toLowerCase();
  return /^[A-Za-z0-9_-]+$/.test(text) ? text.toLowerCase() : null;
}

$("#code-form").addEventListener("submit", (e) => {
  e.preventDefault();
  const input = $("#code-input");
  const code = codeFrom(input.value);
  if (!code) {
    setFieldError(input, input.value.trim() ? gettext("That does not look like a workshop code.") : gettext("Enter the workshop code."));
    input.focus();
    return;
  }
  setFieldError(input, "");
  window.location.assign(`/w/${encodeURIComponent(code)}/`);
});

function show(which) {
  $("#staff-loading").hidden = which !== "loading";
  $("#login-form").hidden = which !== "login";
  $("#staff-panel").hidden = which !== "panel";
}

async function loadSession() {
  try {
    const { user } = await api.session();
    if (!user) {
      show("login");
      return null;
    }
    setText($("#signed-in-as"), gettext("Logged in as %(name)s.", { name: user.username }));
    $("#not-staff").hidden = !!user.is_staff;
    $("#staff-tools").hidden = !user.is_staff;
    show("panel");
    if (user.is_staff) await loadWorkshops();
    return user;
  } catch (err) {
    show("login");
    showStatus($("#login-status"), describeError(err), "error");
    return null;
  }
}

function workshopItem(w) {
  const consoleLink = w.role === "facilitator"
    ? h("a", { href: `/w/${encodeURIComponent(w.code)}/facilitate` }, gettext("Open the console"), h("span", { class: "visually-hidden" }, gettext("for %(title)s", { title: w.title })))
    : null;
  const moderateLink = w.role === "facilitator" || w.role === "moderator"
    ? h("a", { href: `/w/${encodeURIComponent(w.code)}/moderate` }, gettext("Moderate"), h("span", { class: "visually-hidden" }, ` ${w.title}`))
    : null;
  const joinUrl = w.join_url || `/w/${encodeURIComponent(w.code)}/`;
  const reportLink = w.role === "facilitator" || w.role === "official"
    ? h("a", { href: `/w/${encodeURIComponent(w.code)}/report` }, gettext("Report"), h("span", { class: "visually-hidden" }, ` ${gettext("of %(title)s", { title: w.title })}`))
    : null;
  const outcomesLink = h("a", { href: `/w/${encodeURIComponent(w.code)}/outcomes` }, gettext("Outcomes"), h("span", { class: "visually-hidden" }, ` ${gettext("of %(title)s", { title: w.title })}`));
  return h("li", { dataset: { code: w.code } },
    h("p", { class: "workshop-title" }, w.title),
    h("p", { class: "workshop-meta" },
      h("span", { class: "status-badge", dataset: { status: w.status || "" } }, statusLabel(w.status)), " ",
      (ROLE_NAMES[w.role] || (() => w.role || ""))(), " · ", gettext("code %(code)s", { code: w.code })),
    h("p", { class: "workshop-links" },
      consoleLink, consoleLink ? " " : null,
      moderateLink, moderateLink ? " " : null,
      h("a", { href: joinUrl }, gettext("Participant page"), h("span", { class: "visually-hidden" }, gettext("of %(title)s", { title: w.title }))), " ",
      outcomesLink, reportLink ? " " : null, reportLink));
}

async function loadWorkshops() {
  const list = $("#mine");
  try {
    const { workshops } = await api.workshops();
    list.replaceChildren(...(workshops || []).map(workshopItem));
    $("#mine-empty").hidden = (workshops || []).length > 0;
    $("#officials-link").hidden = !(workshops || []).some((w) => w.role === "official");
    showStatus($("#mine-status"), "");
  } catch (err) {
    showStatus($("#mine-status"), describeError(err), "error");
  }
}

$("#login-form").addEventListener("submit", async (e) => {
  e.preventDefault();
  const username = $("#login-username");
  const password = $("#login-password");
  const status = $("#login-status");
  setFieldError(username, username.value.trim() ? "" : gettext("Enter your username."));
  setFieldError(password, password.value ? "" : gettext("Enter your password."));
  if (!username.value.trim() || !password.value) {
    (username.value.trim() ? password : username).focus();
    return;
  }
  const button = $("#login-submit");
  if (isUnavailable(button)) return;
  setUnavailable(button, true);
  showStatus(status, gettext("Logging in…"));
  try {
    await api.login(username.value.trim(), password.value);
    resetCsrf();
    password.value = "";
    showStatus(status, "");
    await loadSession();
    $("#staff-title").setAttribute("tabindex", "-1");
    $("#staff-title").focus();
  } catch (err) {
    showStatus(status, err.status === 401 || err.status === 400 || err.status === 403
      ? (err.message || gettext("That username and password do not match a staff account."))
      : describeError(err), "error");
    password.focus();
  } finally {
    setUnavailable(button, false);
  }
});

$("#logout").addEventListener("click", async () => {
  try {
    await api.logout();
    resetCsrf();
    $("#mine").replaceChildren();
    $("#created").hidden = true;
    show("login");
    $("#login-username").focus();
  } catch (err) {
    showStatus($("#logout-status"), describeError(err), "error");
  }
});

const createForm = $("#create-form");
const languageSelect = $("#create-language");
const pageLanguage = (document.documentElement.lang || "").slice(0, 2);
if ([...languageSelect.options].some((o) => o.value === pageLanguage)) languageSelect.value = pageLanguage;

const FIELD_INPUTS = {
  title: "#create-title-input",
  description: "#create-description",
  language: "#create-language",
  agenda: "#create-agenda",
  columns: "#create-columns",
  profile_questions: "#create-questions",
};

createForm.addEventListener("submit", async (e) => {
  e.preventDefault();
  const status = $("#create-status");
  for (const selector of Object.values(FIELD_INPUTS)) setFieldError($(selector), "");
  $("#created").hidden = true;
  const title = $("#create-title-input").value.trim();
  if (!title) {
    setFieldError($("#create-title-input"), gettext("Give the workshop a title."));
    $("#create-title-input").focus();
    return;
  }
  const parsed = {};
  for (const [name, parse] of [["agenda", parseAgenda], ["columns", parseColumns], ["profile_questions", parseQuestions]]) {
    const input = $(FIELD_INPUTS[name]);
    try {
      parsed[name] = parse(input.value);
    } catch (err) {
      setFieldError(input, err.message);
      input.focus();
      return;
    }
  }
  const body = {
    title,
    description: $("#create-description").value.trim(),
    language: languageSelect.value,
    ...parsed,
    moderation: createForm.querySelector("input[name=moderation]:checked")?.value || "post",
    waiting_room: $("#create-waiting-room").checked,
  };
  const button = $("#create-submit");
  if (isUnavailable(button)) return;
  setUnavailable(button, true);
  showStatus(status, gettext("Creating…"));
  try {
    const created = await api.createWorkshop(body);
    showStatus(status, "");
    createForm.reset();
    if ([...languageSelect.options].some((o) => o.value === pageLanguage)) languageSelect.value = pageLanguage;
    setText($("#created-text"), gettext("Created “%(title)s”. Its code is %(code)s.", { title: created.title || title, code: created.code }));
    const link = $("#created-console");
    link.href = `/w/${encodeURIComponent(created.code)}/facilitate`;
    $("#created").hidden = false;
    $("#created").focus();
    await loadWorkshops();
  } catch (err) {
    let focused = false;
    for (const [name, messages] of Object.entries(err.fields || {})) {
      const input = FIELD_INPUTS[fieldOf(name)] && $(FIELD_INPUTS[fieldOf(name)]);
      if (!input) continue;
      setFieldError(input, [].concat(messages).map((m) => (typeof m === "string" ? m : JSON.stringify(m))).join(" "));
      if (!focused) {
        input.focus();
        focused = true;
      }
    }
    showStatus(status, describeError(err), "error");
  } finally {
    setUnavailable(button, false);
  }
});

show("loading");
loadSession();
