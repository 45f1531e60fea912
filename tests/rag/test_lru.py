from rag.lru import LRU


def test_the_least_recently_used_key_goes_first() -> None:
    cache: LRU[int] = LRU(2)
    computed: list[str] = []

    def length(text: str) -> int:
        computed.append(text)
        return len(text)

    assert cache.get_or_compute("a", length) == 1
    assert cache.get_or_compute("bb", length) == 2
    assert cache.get_or_compute("a", length) == 1  # held: "a" is now the most recent
    assert cache.get_or_compute("ccc", length) == 3  # evicts "bb", not "a"
    assert cache.missing(["a", "bb", "ccc", "bb"]) == ["bb"]
    assert computed == ["a", "bb", "ccc"]
