// "Tell me what becomes of my ideas" on the participant page (PROTOCOL 3.3): an address for news by
// mail, confirmed from the mail's link (double opt-in), changed or removed here. It matters most
// after the workshop, so it works then too. Citizens only, like "your way back".
import { $, showStatus, setFieldError, setText, setUnavailable, isUnavailable } from "./dom.js";
import { gettext, ngettext } from "./i18n.js";
import { api } from "./api.js";
import { describeError } from "./errors.js";

/** The text for a refused address: next to the field, in the reader's language. */
export function contactErrorText(err) {
  if (err.code === "rate_limited") {
    const minutes = Math.max(1, Math.ceil((Number(err.retryAfter) || 60) / 60));
    return ngettext("Too many confirmation mails for now. Try again in %(count)s minute.",
      "Too many confirmation mails for now. Try again in %(count)s minutes.", minutes);
  }
  if (err.fields && err.fields.email) return gettext("This is not a valid e-mail address. Check it and try again.");
  return describeError(err);
}

export class Follow {
  constructor(page) {
    this.page = page;
    this.code = page.code;
    this.root = page.root;
    this.section = $("#follow", this.root);
    this.form = $("#follow-form", this.root);
    this.input = $("#follow-email", this.root);
    this.state = $("#follow-state", this.root);
    this.stateText = $("#follow-state-text", this.root);
    this.status = $("#follow-status", this.root);
    this.contact = undefined; // {email, confirmed} or null once known
    this.loadedFor = null;
    this.jumped = false; // the page was opened at #follow (the outcomes page links there)
    page.onSnapshot(() => this.render());
    page.client.addEventListener("me", () => this.render());
    this.form.addEventListener("submit", (e) => {
      e.preventDefault();
      this.submit();
    });
    $("#follow-change", this.root).addEventListener("click", () => this.edit(true));
    $("#follow-cancel", this.root).addEventListener("click", () => this.edit(false));
    $("#follow-remove", this.root).addEventListener("click", () => this.remove());
    window.addEventListener("hashchange", () => this.jump());
    // The address is confirmed from the mail, usually in another tab: look again on coming back.
    document.addEventListener("visibilitychange", () => {
      if (document.visibilityState === "visible" && this.contact && !this.contact.confirmed) this.load();
    });
  }

  render() {
    const me = this.page.client.state.me;
    const show = me?.role === "citizen" && me.admitted !== false;
    this.section.hidden = !show;
    if (show && this.loadedFor !== me.id) {
      this.loadedFor = me.id;
      this.load();
    }
  }

  async load() {
    try {
      const data = await api.myData(this.code);
      this.show(data.contact ? { email: data.contact.email, confirmed: data.contact.confirmed } : null);
    } catch (err) {
      this.show(null);
      this.say(describeError(err), "error");
    }
    if (!this.jumped) {
      this.jumped = true;
      this.jump();
    }
  }

  /** Opened at #follow (the outcomes page's "follow by mail"): bring the section into view, focused. */
  jump() {
    if (window.location.hash !== "#follow" || this.section.hidden) return;
    this.section.scrollIntoView();
    $("#follow-title", this.root).focus();
  }

  /** Draw the section for a known contact (or none): the form, or what happens with the address. */
  show(contact) {
    const nowConfirmed = Boolean(this.contact && !this.contact.confirmed && contact?.confirmed
      && contact.email === this.contact.email);
    this.contact = contact;
    if (!contact) {
      this.edit(true, { focus: false });
      return;
    }
    setText(this.stateText, contact.confirmed
      ? gettext("News about your ideas goes to %(email)s.", { email: contact.email })
      : gettext("We sent a mail to %(email)s. Check your mail and follow its link to confirm your address; no news is sent before.",
        { email: contact.email }));
    this.form.hidden = true;
    this.state.hidden = false;
    if (nowConfirmed) this.say(gettext("Your address is confirmed."), "ok");
  }

  /** Show the form (to give or change the address) or go back to what is set. */
  edit(open, { focus = true } = {}) {
    const has = Boolean(this.contact);
    this.form.hidden = !open;
    this.state.hidden = open || !has;
    $("#follow-cancel", this.root).hidden = !has;
    if (open) {
      this.input.value = has ? this.contact.email : this.input.value;
      if (focus) this.input.focus();
    } else if (focus) {
      this.stateText.focus();
    }
  }

  /** Tell the reader through the polite status region; what the field's error shows already is
   * only heard there, not seen twice. */
  say(text, kind = "", { atField = false } = {}) {
    this.status.classList.toggle("visually-hidden", atField);
    showStatus(this.status, text, kind);
  }

  async submit() {
    const button = $("#follow-submit", this.root);
    if (isUnavailable(button)) return;
    const email = this.input.value.trim();
    setFieldError(this.input, "");
    if (!email) {
      const text = gettext("Enter your e-mail address.");
      setFieldError(this.input, text);
      this.say(text, "error", { atField: true });
      this.input.focus();
      return;
    }
    setUnavailable(button, true);
    this.say(gettext("Sending…"));
    try {
      await api.setContact(this.code, email);
      this.show({ email, confirmed: false });
      this.say(gettext("Sent. Check your mail to confirm your address."), "ok");
      this.stateText.focus();
    } catch (err) {
      const text = contactErrorText(err);
      const atField = err.code === "rate_limited" || Boolean(err.fields && err.fields.email);
      if (atField) setFieldError(this.input, text);
      this.say(text, "error", { atField });
      this.input.focus();
    } finally {
      setUnavailable(button, false);
    }
  }

  async remove() {
    const button = $("#follow-remove", this.root);
    if (isUnavailable(button)) return;
    setUnavailable(button, true);
    try {
      await api.removeContact(this.code);
      this.contact = null;
      this.input.value = "";
      this.edit(true);
      this.say(gettext("Your address was removed. No more mail will come."), "ok");
    } catch (err) {
      this.say(describeError(err), "error");
    } finally {
      setUnavailable(button, false);
    }
  }
}
