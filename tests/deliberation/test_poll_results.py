"""Poll results from answers: the Schulze order against published examples, Borda, scale, words."""
from deliberation.poll_results import borda, median, preferences, results, schulze, words_top

A, B, C, D, E = 1, 2, 3, 4, 5


def ballots(*groups):
    return [list(order) for count, order in groups for _ in range(count)]


# Wikipedia, "Schulze method", the example with 45 voters: the winner is E, and the order E > A > C > B > D.
WIKIPEDIA_45 = ballots((5, (A, C, B, E, D)), (5, (A, D, E, C, B)), (8, (B, E, D, A, C)), (3, (C, A, B, E, D)),
                       (7, (C, A, E, B, D)), (2, (C, B, A, D, E)), (7, (D, C, E, B, A)), (8, (E, B, A, D, C)))


def test_schulze_orders_the_45_voter_example_e_a_c_b_d():
    assert len(WIKIPEDIA_45) == 45
    d = preferences([A, B, C, D, E], WIKIPEDIA_45)
    # The pairwise table as the article prints it.
    assert [d[A, x] for x in (B, C, D, E)] == [20, 26, 30, 22]
    assert [d[E, x] for x in (A, B, C, D)] == [23, 27, 21, 31]
    assert schulze([A, B, C, D, E], WIKIPEDIA_45) == [E, A, C, B, D]
    # The order does not depend on the order options were typed in.
    assert schulze([D, C, B, A, E], WIKIPEDIA_45) == [E, A, C, B, D]


def test_schulze_with_a_condorcet_cycle_is_settled_by_path_strength():
    # Wikipedia's second example (21 voters, a cycle among the pairwise wins): D > A > C > B.
    profile = ballots((8, (A, C, D, B)), (2, (B, A, D, C)), (4, (C, D, B, A)), (4, (D, B, A, C)), (3, (D, C, B, A)))
    assert len(profile) == 21
    assert schulze([A, B, C, D], profile) == [D, A, C, B]


def test_schulze_and_borda_can_disagree():
    profile = ballots((3, (A, B, C)), (2, (B, C, A)))
    assert schulze([A, B, C], profile) == [A, B, C]  # A beats B 3 to 2, and C 3 to 2
    points = borda([A, B, C], profile)
    assert points == {A: 6, B: 7, C: 2}  # yet B has the most Borda points
    assert max(points, key=points.get) == B


def test_ties_keep_option_order():
    assert schulze([C, A, B], []) == [C, A, B]
    assert schulze([A, B], ballots((1, (A, B)), (1, (B, A)))) == [A, B]
    assert schulze([B, A], ballots((1, (A, B)), (1, (B, A)))) == [B, A]


def test_ranking_results_carry_order_and_borda_by_option_id_text():
    out = results("ranking", [A, B, C], [{"ranking": [B, A, C]}, {"ranking": [B, C, A]}])
    assert out == {"n": 2, "order": [B, A, C], "borda": {"1": 1, "2": 4, "3": 1}}


def test_median_of_an_even_count_is_the_mean_of_the_middle_two():
    assert median([1, 9, 3, 4]) == 3.5
    assert median([5, 1, 3]) == 3
    assert median([]) is None


def test_scale_results_mean_median_histogram():
    out = results("scale", [], [{"value": v} for v in (2, 4, 4, 10)])
    assert out == {"n": 4, "mean": 5.0, "median": 4.0, "histogram": {"2": 1, "4": 2, "10": 1}}
    assert results("scale", [], []) == {"n": 0, "mean": None, "median": None, "histogram": {}}


def test_choice_and_points_leave_out_what_got_nothing():
    assert results("single", [A, B, C], [{"choice": A}, {"choice": C}, {"choice": A}]) == \
        {"n": 3, "counts": {"1": 2, "3": 1}}
    assert results("multiple", [A, B, C], [{"choices": [A, B]}, {"choices": [B]}]) == \
        {"n": 2, "counts": {"1": 1, "2": 2}}
    assert results("points", [A, B], [{"points": {"1": 7, "2": 3}}, {"points": {"2": 10}}]) == \
        {"n": 2, "totals": {"1": 7, "2": 13}}


def test_words_most_first_then_alphabetical_at_most_fifty():
    out = results("words", [], [{"words": ["trees", "shade"]}, {"words": ["trees"]}, {"words": []}])
    assert out == {"n": 3, "words": [{"word": "trees", "count": 2}, {"word": "shade", "count": 1}]}
    many = words_top([f"w{i:03}" for i in range(80)] + ["w079"])
    assert len(many) == 50 and many[0] == {"word": "w079", "count": 2} and many[1]["word"] == "w000"
