"""List mechanics of the CMS families government portals are built on."""
