"""mailchimp"""
