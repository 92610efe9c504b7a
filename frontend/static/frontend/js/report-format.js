// Labels and number formats shared by the outcomes, report and organisation report pages.
import { gettext, ngettext } from "./i18n.js";
import { pageLang as lang } from "./format.js";

export const RESPONSE_STATUSES = ["under_review", "accepted", "implemented", "declined"];

const RESPONSE_LABELS = {
  under_review: () => gettext("Under review"),
  accepted: () => gettext("Accepted"),
  implemented: () => gettext("Implemented"),
  declined: () => gettext("Declined"),
};

/** A readable label for an official response's status. */
export function responseLabel(status) {
  return (RESPONSE_LABELS[status] || (() => status || ""))();
}

export const RUNG_KEYS = ["informed", "consulted", "involved", "collaborating", "empowered"];

const RUNG_LABELS = {
  informed: () => gettext("Informed"),
  consulted: () => gettext("Consulted"),
  involved: () => gettext("Involved"),
  collaborating: () => gettext("Collaborating"),
  empowered: () => gettext("Empowered"),
};

export function rungLabel(rung) {
  return (RUNG_LABELS[rung] || (() => rung))();
}

const FACTOR_LABELS = {
  collaboration: () => gettext("Collaboration"),
  accessibility: () => gettext("Accessibility"),
  safety: () => gettext("Safety"),
  information: () => gettext("Information"),
  influence: () => gettext("Influence"),
  engagement: () => gettext("Engagement"),
  alignment: () => gettext("Alignment"),
  implementation: () => gettext("Implementation"),
  relevance: () => gettext("Relevance"),
};

/** A readable name for a survey factor. */
export function factorLabel(factor) {
  return (FACTOR_LABELS[factor] || (() => factor))();
}

const PARTICIPATION_LABELS = {
  joined: () => gettext("Joined"),
  active: () => gettext("Active"),
  ideas: () => gettext("Ideas"),
  builds: () => gettext("Builds on other ideas"),
  reactions: () => gettext("Reactions"),
  endorsements: () => gettext("Endorsements"),
};

export const PARTICIPATION_KEYS = Object.keys(PARTICIPATION_LABELS);

export function participationLabel(key) {
  return (PARTICIPATION_LABELS[key] || (() => key))();
}

/** A whole number in the page's language. */
export function formatCount(n) {
  return n === null || n === undefined ? "–" : new Intl.NumberFormat(lang()).format(n);
}

/** A share between 0 and 1 as a percentage, "–" for null. */
export function formatShare(share) {
  if (share === null || share === undefined) return "–";
  return new Intl.NumberFormat(lang(), { style: "percent", maximumFractionDigits: 0 }).format(share);
}

/** A mean on the 0 to 10 scale with one decimal. */
export function formatMean(mean) {
  if (mean === null || mean === undefined) return "–";
  return new Intl.NumberFormat(lang(), { minimumFractionDigits: 1, maximumFractionDigits: 1 }).format(mean);
}

/** A duration given in hours, in words: minutes under an hour, days from two days on. */
export function formatHours(hours) {
  if (hours === null || hours === undefined) return null;
  if (hours < 1 / 60) return gettext("under a minute");
  if (hours < 1) {
    const minutes = Math.round(hours * 60);
    return ngettext("%(count)s minute", "%(count)s minutes", minutes);
  }
  if (hours < 48) {
    const rounded = Math.round(hours * 10) / 10;
    return ngettext("%(count)s hour", "%(count)s hours", rounded, { count: new Intl.NumberFormat(lang()).format(rounded) });
  }
  const days = Math.round(hours / 2.4) / 10;
  return ngettext("%(count)s day", "%(count)s days", days, { count: new Intl.NumberFormat(lang()).format(days) });
}

/** A moment as date and time in the page's language. */
export function formatMoment(iso) {
  if (!iso) return "";
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return new Intl.DateTimeFormat(lang(), { dateStyle: "medium", timeStyle: "short" }).format(date);
}

/** A Gini coefficient (0 to 1) with two decimals. */
export function formatGini(gini) {
  if (gini === null || gini === undefined) return "–";
  return new Intl.NumberFormat(lang(), { minimumFractionDigits: 2, maximumFractionDigits: 2 }).format(gini);
}
