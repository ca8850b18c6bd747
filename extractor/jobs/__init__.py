"""Jobs: long runs over many articles (crawl, re-extract), each article through `pipeline`."""
