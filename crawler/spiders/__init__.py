"""zwgk's spiders. ``DisclosureSpider`` crawls units' disclosure columns (crawler.spiders.disclosure)."""
