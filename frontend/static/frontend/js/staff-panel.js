// The console's staff panel: who is on the staff with which role; add one by username, change a
// role, take one away. The server closes that person's sockets, so their pages reconnect with it.
import { api } from "./api.js";
import { $, h, showStatus, setFieldError, setUnavailable, isUnavailable } from "./dom.js";
import { gettext } from "./i18n.js";
import { describeError } from "./errors.js";

// Labels for the role menus, and the words that go in a sentence.
const ROLES = {
  facilitator: () => gettext("Facilitator"),
  moderator: () => gettext("Moderator"),
  official: () => gettext("Official"),
};
const ROLE_WORDS = {
  facilitator: () => gettext("facilitator"),
  moderator: () => gettext("moderator"),
  official: () => gettext("official"),
};

/** A sentence for a refusal of a staff change, in the page's language. */
function staffError(err, username) {
  switch (err.code) {
    case "not_found":
      return gettext("There is no staff account with the username “%(username)s”.", { username });
    case "conflict":
      return gettext("A workshop needs at least one facilitator. Make someone else facilitator first.");
    case "forbidden":
      return gettext("Only a facilitator of this workshop can change its staff.");
    case "unauthenticated":
      return gettext("Your login has expired. Log in again on the front page.");
    default:
      return describeError(err);
  }
}

export class StaffPanel {
  constructor(page) {
    this.code = page.code;
    this.root = page.root;
    this.list = $("#staff-list", this.root);
    this.listStatus = $("#staff-list-status", this.root);
    this.username = $("#staff-username", this.root);
    this.role = $("#staff-role", this.root);
    this.status = $("#staff-status", this.root);
    this.addButton = $("#staff-add", this.root);
    this.staff = null; // [{username, name, role}] as last loaded
    $("#staff-form", this.root).addEventListener("submit", (e) => {
      e.preventDefault();
      this.add();
    });
    // A change of someone's role shows in their presence: load the list again (facilitators only).
    page.store.on("presence.changed", (ev) => {
      if (page.client.state.me?.role === "facilitator" && this.roleDiffers(ev.participant)) this.load();
    });
  }

  roleDiffers(person) {
    const listed = (this.staff || []).find((s) => s.name === person?.name);
    return listed ? listed.role !== person.role : !!person && person.role !== "citizen";
  }

  load() {
    return api.staff(this.code).then((staff) => {
      this.staff = staff;
      this.renderList();
    }, (err) => showStatus(this.listStatus, staffError(err, ""), "error"));
  }

  renderList() {
    const focused = this.list.contains(document.activeElement) ? document.activeElement.dataset.key : null;
    this.list.replaceChildren(...this.staff.map((person, index) => this.row(person, index)));
    if (focused) {
      // The row may be gone (removed): focus goes back to the panel's heading.
      const again = Array.from(this.list.querySelectorAll("[data-key]")).find((el) => el.dataset.key === focused);
      (again || $("#staff-title", this.root)).focus();
    }
  }

  row(person, index) {
    const key = (what) => `${person.username}\n${what}`;
    const select = h("select", { id: `staff-role-${index}`, dataset: { key: key("role") } },
      Object.entries(ROLES).map(([value, label]) => h("option", { value, selected: value === person.role }, label())));
    const change = h("button", { type: "button", class: "small", dataset: { key: key("change") } },
      gettext("Change role"), h("span", { class: "visually-hidden" }, ` (${person.name})`));
    const remove = h("button", { type: "button", class: "small danger", dataset: { key: key("remove") } },
      gettext("Remove from staff"), h("span", { class: "visually-hidden" }, ` (${person.name})`));
    change.addEventListener("click", () => this.change(person, select.value, change));
    remove.addEventListener("click", () => this.remove(person, remove));
    const who = person.name === person.username ? person.name : `${person.name} (${person.username})`;
    return h("li", { class: "staff-row", dataset: { username: person.username } },
      h("label", { for: select.id, class: "staff-name" }, who,
        h("span", { class: "visually-hidden" }, ` – ${gettext("Role")}`)),
      select, change, remove);
  }

  /** Run one change from a row: its button is busy meanwhile; the outcome shows under the list. */
  act(button, work, done, username) {
    if (isUnavailable(button)) return Promise.resolve();
    setUnavailable(button, true);
    showStatus(this.listStatus, gettext("Sending…"));
    return work().then(() => {
      showStatus(this.listStatus, done, "ok");
      return this.load();
    }, (err) => showStatus(this.listStatus, staffError(err, username), "error"))
      .finally(() => setUnavailable(button, false));
  }

  change(person, role, button) {
    if (role === person.role) {
      showStatus(this.listStatus, gettext("%(name)s already has that role.", { name: person.name }));
      return Promise.resolve();
    }
    return this.act(button, () => api.setStaff(this.code, person.username, role),
      gettext("%(name)s is now %(role)s.", { name: person.name, role: ROLE_WORDS[role]() }), person.username);
  }

  remove(person, button) {
    return this.act(button, () => api.removeStaff(this.code, person.username),
      gettext("%(name)s is no longer on the staff.", { name: person.name }), person.username);
  }

  add() {
    const username = this.username.value.trim();
    setFieldError(this.username, "");
    if (!username) {
      setFieldError(this.username, gettext("Enter the username of a staff account."));
      this.username.focus();
      return Promise.resolve();
    }
    if (isUnavailable(this.addButton)) return Promise.resolve();
    setUnavailable(this.addButton, true);
    showStatus(this.status, gettext("Sending…"));
    return api.setStaff(this.code, username, this.role.value).then((answer) => {
      showStatus(this.status, gettext("%(name)s is now %(role)s.", { name: username, role: ROLE_WORDS[answer.role]() }), "ok");
      this.username.value = "";
      return this.load();
    }, (err) => {
      const message = staffError(err, username);
      showStatus(this.status, message, "error");
      if (err.code === "not_found" || err.code === "invalid") {
        setFieldError(this.username, message);
        this.username.focus();
      }
    }).finally(() => setUnavailable(this.addButton, false));
  }
}
