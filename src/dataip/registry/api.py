from ninja import Router

router = Router(tags=["applications"])
review_router = Router(tags=["review"])
