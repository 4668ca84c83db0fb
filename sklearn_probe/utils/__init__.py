"""What several subpackages share: names of score columns and how settings are
described (``_names``), telling a local path from a hub name (``_paths``),
stratified subsets (``_sampling``) and the check of a ``device``
(``_devices``). Private modules, imported by the package's own subpackages."""
