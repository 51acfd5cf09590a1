"""`faqbot serve`: an HTTP API and a chat page over one corpus (the optional extra ``faqbot[serve]``).

Stateless: a conversation's context travels through the client as a signed token, so any worker on
any machine can answer its next turn. Nothing here is imported by `faqbot ask` or `faqbot chat`.
"""
