// "Your way back" on the participant page: the personal return link (copy it, scan its QR code,
// replace it), "download my data" and "erase me" with a confirmation step. Citizens only: staff
// come back by logging in.
import { $, showStatus, setUnavailable, isUnavailable, announce } from "./dom.js";
import { gettext } from "./i18n.js";
import { api } from "./api.js";
import { describeError } from "./errors.js";

export class WayBack {
  constructor(page, { onErased }) {
    this.page = page;
    this.code = page.code;
    this.root = page.root;
    this.section = $("#way-back", this.root);
    this.input = $("#way-back-link", this.root);
    this.qr = $("#way-back-qr", this.root);
    this.status = $("#way-back-status", this.root);
    this.onErased = onErased;
    this.loadedFor = null; // the participant whose link is shown
    this.version = 0; // bumps the QR image's URL when the link changes
    page.onSnapshot(() => this.render());
    page.client.addEventListener("me", () => this.render());
    $("#way-back-copy", this.root).addEventListener("click", () => this.copy());
    $("#way-back-new", this.root).addEventListener("click", () => this.renew());
    $("#erase-open", this.root).addEventListener("click", () => this.confirmErase(true));
    $("#erase-no", this.root).addEventListener("click", () => this.confirmErase(false));
    $("#erase-yes", this.root).addEventListener("click", () => this.erase());
  }

  render() {
    const me = this.page.client.state.me;
    const show = me?.role === "citizen" && me.admitted !== false;
    this.section.hidden = !show;
    if (show && this.loadedFor !== me.id) {
      this.loadedFor = me.id;
      this.load(api.returnLink(this.code));
    }
  }

  async load(request) {
    try {
      const { url } = await request;
      this.input.value = url;
      this.version += 1;
      this.qr.src = api.returnLinkQrUrl(this.code, this.version);
      this.qr.hidden = false;
      return true;
    } catch (err) {
      showStatus(this.status, describeError(err), "error");
      return false;
    }
  }

  async copy() {
    try {
      await navigator.clipboard.writeText(this.input.value);
      showStatus(this.status, gettext("Link copied."), "ok");
    } catch {
      this.input.select();
      showStatus(this.status, gettext("Select the link and copy it."), "");
    }
  }

  async renew() {
    const button = $("#way-back-new", this.root);
    if (isUnavailable(button)) return;
    setUnavailable(button, true);
    showStatus(this.status, "");
    if (await this.load(api.renewReturnLink(this.code))) {
      showStatus(this.status, gettext("This is your new link. The old one no longer works."), "ok");
    }
    setUnavailable(button, false);
  }

  confirmErase(open) {
    const box = $("#erase-confirm", this.root);
    const opener = $("#erase-open", this.root);
    box.hidden = !open;
    opener.setAttribute("aria-expanded", String(open));
    (open ? $("#erase-no", this.root) : opener).focus();
  }

  async erase() {
    const button = $("#erase-yes", this.root);
    if (isUnavailable(button)) return;
    setUnavailable(button, true);
    const status = $("#erase-status", this.root);
    try {
      await api.erase(this.code);
      this.loadedFor = null;
      this.input.value = "";
      this.qr.hidden = true;
      this.qr.removeAttribute("src");
      $("#erase-confirm", this.root).hidden = true;
      const done = gettext("You were erased from this workshop. Your ideas stay, without your name. You can join again as someone new.");
      announce(done);
      this.onErased(done);
    } catch (err) {
      showStatus(status, describeError(err), "error");
    } finally {
      setUnavailable(button, false);
    }
  }
}
