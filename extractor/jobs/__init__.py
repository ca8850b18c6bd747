"""Jobs: runs over many articles (crawl, ingest, re-extract), each article through `pipeline`."""
