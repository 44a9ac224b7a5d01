"""The library as the read path sees it: snapshots of the stored articles, every cache, the indexes."""
