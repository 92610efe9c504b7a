"""Synthesis aids for facilitators: group-aware consensus (bridging) and clusters of similar ideas.

Pure functions (`bridging`, `clusters`) do the arithmetic; `groups_of` and `suggest` read
what they need from the database. Nothing here writes. scikit-learn is
imported inside the functions that use it: it takes most of a second to import, and the
server and most tests never need it.
"""
from collections import defaultdict
from collections.abc import Hashable, Iterable, Mapping
from typing import TypeVar

from workshops.models import Assignment, Breakout

from .models import Flag, Idea, Reaction

__all__ = ["CLUSTER_THRESHOLD", "STOP_WORDS", "bridging", "clusters", "groups_of", "source_candidates", "suggest"]

Item = TypeVar("Item", bound=Hashable)
Who = TypeVar("Who", bound=Hashable)

AGREE = Reaction.Value.AGREE

# Cosine distance (1 - similarity of character n-gram TF-IDF vectors) under which average
# linkage merges two clusters. Chosen on the Pol.is conversations in shared/data/polis: at
# 0.75 clusters gather rewordings and shared topics ("I live in a large city" / "... medium-sized
# NZ city"); at 0.8 looser topical neighbours join; at 0.6 most rewordings stay apart.
CLUSTER_THRESHOLD = 0.75
LABEL_TERMS = 3

# Function words left out of cluster labels. The four lists are used together, since workshops
# mix languages; so a word that is a content word in another of the languages is not listed
# (German "war", "hat", "man" and Dutch "door" mean something in English). scikit-learn's English
# list is not used: it drops words a civic workshop needs ("fire", "system", "bill", "interest").
_STOP_EN = """
about above after again against all also am an and any are as at be because been before being
below between both but by can could did didn do does doesn doing don down during each either
etc even ever every few for from further had has have having he her here hers herself him
himself his how however if in into is isn it its itself just let ll may me might more most
much must my myself need needs no nor not now of off on once only or other our ours ourselves
out over own per re same shall she should shouldn so some such than that the their theirs them
themselves then there these they this those through to too under until up us ve very was we
were what when where which while who whom why will with won would yet you your yours yourself
yourselves
"""
_STOP_NL = """
aan af al alle alles als altijd andere ben bij daar daarom dan dat de der deze die dit doch
doen dus een eens en er ge geen geweest haar had heb hebben heeft hem het hier hij hoe hun
iemand iets ik in is ja je jij jou jouw kan kon kunnen laat maar me meer men met mij mijn moet
moeten na naar niet niets nog nu of om omdat onder ons onze ook op over reeds te tegen toch
toen tot uit uw van veel voor want waren was wat we wel werd wezen wie wij wil worden wordt
zal ze zei zelf zich zij zijn zo zonder zou zouden
"""
_STOP_FR = """
ai aie as au aucun aussi autre aux avec avoir avons ayant bien ce ceci cela celle celles celui
ces cet cette ceux chaque comme comment dans de des doit doivent donc du elle elles en encore
est et été être eu faire fait faut il ils je la le les leur leurs lui ma mais me même mes moi
moins mon ne ni non nos notre nous on ont ou où oui par pas peu peut peuvent plus pour pourquoi
qu que quel quelle quelles quels qui sa sans se sera ses si son sont sous sur ta te tes toi ton
tous tout toute toutes très tu un une vos votre vous
"""
_STOP_DE = """
aber alle allem allen aller alles als also am an auch auf aus bei beim bin bis bist da damit
dann das dass dazu dem den denn der des dich die dies diese diesem diesen dieser dieses dir doch
dort du durch ein eine einem einen einer eines er es etwas euch euer für gegen gibt habe haben
hier ich ihm ihn ihr ihre ihrem ihren ihrer im in ins ist ja jede jedem jeden jeder jedes kann
kein keine keinem keinen keiner können könnte mehr mich mir mit muss müssen nach nicht nichts
noch nur ob oder ohne schon sehr sein seine sich sie sind so soll sollen sollte sollten sondern
über um und uns unser unsere unter viel vom von vor wann warum was weil wenn wer werden wie
wieder wir wird wo zu zum zur
"""
STOP_WORDS = frozenset((_STOP_EN + _STOP_NL + _STOP_FR + _STOP_DE).split())

# Words of two or more letters: digits, punctuation and elided articles (l', d') are not terms.
_WORD = r"(?u)\b[^\W\d_]{2,}\b"
_LEFT_OUT = object()


def bridging(votes: Iterable[tuple[Item, Who, str]], groups: Mapping[Who, Hashable] | None = None, *,
             items: Iterable[Item] = ()) -> dict[Item, float]:
    """Group-aware consensus of each item: the product over groups of (agrees + 1) / (reactions + 2).

    `votes` are (item, participant, value) with value "agree", "disagree" or "pass"; every value
    counts as a reaction, only "agree" as an agree. With `groups` None everyone is one group.
    Otherwise the groups are the distinct values of `groups`, every group with a member whether
    or not it reacted to the item (so that scores are comparable across items), and the votes of
    participants missing from `groups` are left out. Items are `items` plus those voted on; an
    item no group reacted to scores (1/2) ** number of groups. Scores lie strictly between 0 and 1.
    """
    if groups is not None and not groups:
        raise ValueError("groups is empty: pass None for one group of everyone")
    group_ids = [None] if groups is None else list(dict.fromkeys(groups.values()))
    scored = dict.fromkeys(items)
    agrees: dict[tuple, int] = defaultdict(int)  # (item, group) -> n
    reactions: dict[tuple, int] = defaultdict(int)
    for item, who, value in votes:
        scored.setdefault(item)
        group = None if groups is None else groups.get(who, _LEFT_OUT)
        if group is _LEFT_OUT:
            continue
        reactions[item, group] += 1
        if value == AGREE:
            agrees[item, group] += 1
    scores = {}
    for item in scored:
        score = 1.0
        for group in group_ids:
            score *= (agrees[item, group] + 1) / (reactions[item, group] + 2)
        scores[item] = score
    return scores


def groups_of(workshop_id: int) -> dict[int, int] | None:
    """Participant id -> room id in the workshop's latest closed breakout; None when there is no
    such breakout or nobody was placed in it (then everyone is one group)."""
    # Only one breakout runs at a time, so the latest closed one is the closed one opened last.
    latest = (Breakout.objects.filter(workshop_id=workshop_id, status=Breakout.Status.CLOSED)
              .order_by("-pk").values_list("pk", flat=True).first())
    if latest is None:
        return None
    rows = Assignment.objects.filter(breakout_id=latest).order_by("participant_id")
    return dict(rows.values_list("participant_id", "room_id")) or None


def source_candidates(workshop_id: int, board_id: int | None = None):
    """The ideas a proposal may draw on: visible, and with no flag open (hidden and held ones never)."""
    qs = (Idea.objects.filter(board__workshop_id=workshop_id, status=Idea.Status.VISIBLE)
          .exclude(flags__status=Flag.Status.OPEN))
    return qs if board_id is None else qs.filter(board_id=board_id)


def _bridging_of(workshop_id: int, ideas) -> dict[int, float]:
    votes = Reaction.objects.filter(idea__in=ideas.values("pk")).values_list("idea_id", "participant_id", "value")
    return bridging(votes.iterator(chunk_size=5000), groups_of(workshop_id),
                    items=ideas.order_by("pk").values_list("pk", flat=True))


def clusters(items: list[tuple[int, str]], *, threshold: float = CLUSTER_THRESHOLD) -> list[dict]:
    """Group (id, text) items by similar wording: [{"ideas": [ids], "label": str}], largest first.

    Character n-grams (3 to 5, within words) make it work for Dutch, English, French and German
    without a model: rewordings, inflections and compounds ("park" / "parken", "Musikfestival" /
    "music festival") meet; translations that share no word forms ("bomen" / "trees") do not.
    Every item is in exactly one cluster, so a singleton is a cluster of one. Ids ascend within a
    cluster, clusters of one size come in the order of their first id, and the same items give
    the same clusters whatever their order.
    """
    items = sorted(dict(items).items())
    if not items:
        return []
    ids, texts = [i for i, _ in items], [t for _, t in items]
    labels = _cluster_labels(texts, threshold)
    members: dict[int, list[int]] = defaultdict(list)
    for index, label in enumerate(labels):
        members[label].append(index)
    groups = sorted(members.values(), key=lambda m: (-len(m), m[0]))
    names = _names(texts, groups)
    return [{"ideas": [ids[i] for i in group], "label": name} for group, name in zip(groups, names)]


def _cluster_labels(texts: list[str], threshold: float) -> list[int]:
    """A cluster number for each text: average-linkage clusters of cosine distances."""
    if len(texts) == 1:
        return [0]
    import numpy as np
    from sklearn.cluster import AgglomerativeClustering
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.metrics.pairwise import cosine_similarity

    vectorizer = TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 5), sublinear_tf=True,
                                 strip_accents="unicode", lowercase=True, dtype=np.float64)
    try:
        vectors = vectorizer.fit_transform(texts)
    except ValueError:  # no text has an n-gram (all blank): nothing to compare
        return list(range(len(texts)))
    # Rows are L2-normalised; a text without n-grams is a zero row, at distance 1 from everything.
    distances = 1.0 - cosine_similarity(vectors)
    np.clip(distances, 0.0, 1.0, out=distances)
    empty = np.asarray(vectors.getnnz(axis=1) == 0)
    distances[empty, :] = 1.0
    distances[:, empty] = 1.0
    np.fill_diagonal(distances, 0.0)
    model = AgglomerativeClustering(n_clusters=None, metric="precomputed", linkage="average",
                                    distance_threshold=threshold)
    return model.fit_predict(distances).tolist()


def _names(texts: list[str], groups: list[list[int]]) -> list[str]:
    """A label for each cluster: its LABEL_TERMS heaviest words (TF-IDF summed over its members)."""
    import numpy as np
    from sklearn.feature_extraction.text import TfidfVectorizer

    vectorizer = TfidfVectorizer(analyzer="word", token_pattern=_WORD, lowercase=True,
                                 stop_words=sorted(STOP_WORDS), dtype=np.float64)
    try:
        weights = vectorizer.fit_transform(texts).tocsr()
    except ValueError:  # only stop words (or no words) anywhere
        return [_fallback_name(texts[group[0]]) for group in groups]
    terms = vectorizer.get_feature_names_out()
    names = []
    for group in groups:
        summed = np.asarray(weights[group].sum(axis=0)).ravel()
        # Heaviest first; equal weights alphabetically (terms are sorted, so by column index).
        order = sorted(np.flatnonzero(summed), key=lambda col: (-round(float(summed[col]), 9), col))
        top = [str(terms[col]) for col in order[:LABEL_TERMS]]
        names.append(", ".join(top) if top else _fallback_name(texts[group[0]]))
    return names


def _fallback_name(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= 40 else text[:39].rstrip() + "…"


def suggest(workshop_id: int, board_id: int | None = None) -> dict:
    """The `synthesis.suggest` answer: clusters and bridging of the ideas that may be sources, of one board or all."""
    visible = source_candidates(workshop_id, board_id)
    ideas = list(visible.order_by("pk").values_list("pk", "text"))
    scores = _bridging_of(workshop_id, visible)
    ranked = sorted(scores.items(), key=lambda pair: (-pair[1], pair[0]))
    return {"clusters": clusters(ideas), "bridging": [{"idea": pk, "score": score} for pk, score in ranked]}
